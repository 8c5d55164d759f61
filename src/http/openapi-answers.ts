import type { FastifyInstance } from 'fastify'
import { ProblemDetails } from './schemas.ts'

// the methods whose body Fastify reads (DELETE only when one is sent): a bad one is a 400, a
// large one a 413, one of a type it does not parse a 415, whatever the route declares
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

type Config = { public?: boolean }
/** `api`: the routes are the API plugin's (src/http/api.ts), whose pipeline authenticates and checks the query */
type ImpliedBy = { api?: boolean }
type Schema = {
  hide?: boolean
  security?: Record<string, string[]>[]
  params?: unknown
  querystring?: unknown
  headers?: unknown
  body?: unknown
  response?: Record<string | number, unknown>
}

/**
 * The error statuses a route can answer because of how it is configured rather than what its
 * handler does: 400 for any input (and for every route of the API plugin, `where.api`: unknown
 * query parameters, see strict-query.ts), 401 and 403 when it needs credentials (an API route not
 * `public`, or one whose schema names a security requirement; 403: a token's scope, the caller's
 * role, or an external identity the sign-up policy keeps out), 404 and 414 for an id in the path,
 * 413 and 415 where Fastify reads a body, and 429, 431, 500 and 503 (rate limits, headers too
 * large, faults, the database away, shedding, shutting down) everywhere. Answers only a handler
 * knows (a login's 401, a conflict's 409) the route lists with `errors(...)`.
 */
export function impliedAnswers(
  route: { method: string; url: string; config?: unknown; schema?: Schema },
  where: ImpliedBy = {},
) {
  const config = (route.config ?? {}) as Config
  const schema = route.schema ?? {}
  const api = where.api === true
  const secured =
    (api && !config.public) || (schema.security ?? []).some((requirement) => Object.keys(requirement).length > 0)
  const body = BODY_METHODS.has(route.method)
  const input = api || body || Boolean(schema.params || schema.querystring || schema.headers || schema.body)
  const codes = [
    ...(input ? [400] : []),
    // 403 on any secured route too: an external identity's valid bearer token without an account
    // that the sign-up policy refuses to create (besides a token's scope or the caller's role)
    ...(secured ? [401, 403] : []),
    // the router refuses a path parameter over 200 characters
    ...(route.url.includes(':') ? [404, 414] : []),
    ...(body ? [413, 415] : []),
    429,
    // Node's parser refuses a request line and headers over 16 KB before any route is chosen
    431,
    500,
    503,
  ]
  return codes
}

/**
 * Adds the implied error answers (see impliedAnswers) to every documented route's
 * `schema.response`, so the OpenAPI document lists each status the route can give without every
 * route spelling them, and what a test sees answered can be checked against the route itself.
 * Register before the routes: a route keeps its own schema for a status it documents. The API
 * plugin registers it again with `{ api: true }` for its own routes, adding what its pipeline implies.
 */
export function registerImpliedAnswers(app: FastifyInstance, where: ImpliedBy = {}) {
  app.addHook('onRoute', (route) => {
    const schema = (route.schema ?? {}) as Schema
    if (schema.hide) return
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' || method === 'OPTIONS') continue
      const implied = impliedAnswers({ url: route.url, config: route.config, method, schema }, where)
      schema.response = { ...Object.fromEntries(implied.map((code) => [code, ProblemDetails])), ...schema.response }
    }
    route.schema = schema
  })
}
