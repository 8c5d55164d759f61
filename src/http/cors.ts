import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

/** Every method a route of the API answers (the library's default allows only GET, HEAD and POST). */
const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']

/** The request headers the API reads: a preflight naming any of them is allowed. */
export const CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'if-match',
  'if-none-match',
  'idempotency-key',
  'last-event-id',
  'x-request-id',
]

/** The response headers the API sets that a browser script needs to read. */
export const CORS_EXPOSED_HEADERS = [
  'etag',
  'location',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
  'x-request-id',
  'idempotent-replayed',
]

/**
 * Cross-origin access for browser clients on the configured origins. `*` allows any origin but
 * then without credentials (the API's credentials are bearer tokens, which never need cookies).
 */
export async function registerCors(app: FastifyInstance, origins: readonly string[]) {
  await app.register(cors, {
    origin: origins.includes('*') ? true : [...origins],
    credentials: !origins.includes('*'),
    methods: CORS_METHODS,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    // a browser may cache a preflight this long (Chromium caps it at 2 h) instead of one per call
    maxAge: 7200,
  })
}
