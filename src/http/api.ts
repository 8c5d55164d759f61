import type { FastifyInstance } from 'fastify'
import type { Config } from '../config.ts'
import type { Db } from '../db/client.ts'
import type { RateLimitStore } from '../infra/rate-limit.ts'
import { type Authenticator, registerAccessChecks, registerAuth, type TicketRedeemer } from './auth.ts'
import { routeNotFound } from './error-handler.ts'
import { registerIdempotency } from './idempotency.ts'
import { registerImpliedAnswers } from './openapi-answers.ts'
import { registerRateLimit } from './rate-limit.ts'
import { registerStrictQuery } from './strict-query.ts'

export interface ApiOptions {
  authenticate: Authenticator
  /** download links' `?ticket=` (routes with `config.ticket`) */
  redeemTicket: TicketRedeemer
  limits: RateLimitStore
  config: Config
  db: Db
  /** registers the versioned routes (`/v1/…`): buildApp's one line per module */
  routes(api: FastifyInstance): Promise<void>
}

/**
 * The API, registered at `/api`: an encapsulated plugin, so its pipeline applies to its routes (and
 * its own 404s) and to nothing else; `/health`, `/metrics`, `/docs` and the web app live beside it,
 * at the root, with the hooks every answer shares (request id, security headers, CORS, shedding).
 *
 * Every request to the API goes through, in this order:
 * 1. identify (onRequest): a bearer token (or, on a download, a `?ticket=` for that path) becomes
 *    `req.actor`; bad credentials wait for step 3, so that guessing is counted against the caller's IP first
 * 2. rate limit (onRequest): per user or token, per IP when anonymous; 429 with Retry-After
 * 3. access (onRequest): the route's config (`public`, `scope`, `sessionOnly`, `admin`); 401/403
 * 4. validation (preValidation, then Fastify's schema): unknown query parameters are a 400 too
 * 5. idempotency (preHandler … onSend): a create with Idempotency-Key is replayed or claimed
 * 6. the route's handler: its service checks the team-level access policies (modules/access)
 */
export async function apiPlugin(api: FastifyInstance, opts: ApiOptions): Promise<void> {
  // what the pipeline below can answer (401/403, 400) is documented on each of its routes
  registerImpliedAnswers(api, { api: true })
  registerAuth(api, opts.authenticate, opts.redeemTicket)
  registerRateLimit(api, opts.limits, opts.config)
  registerAccessChecks(api)
  registerStrictQuery(api)
  registerIdempotency(api, opts.db)
  api.setNotFoundHandler(routeNotFound)
  await opts.routes(api)
}
