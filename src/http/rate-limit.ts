import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config.ts'
import type { RateLimitStore } from '../infra/rate-limit.ts'
import { tooManyRequests } from './problem.ts'

export interface LimitRule {
  /** the bucket: e.g. `login:ip:1.2.3.4` */
  key: string
  max: number
  windowMs: number
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false exempts a route from the general per-user / per-IP limit */
    rateLimit?: false
  }
}

/**
 * Counts a request against each rule, sets the `RateLimit-*` headers of the tightest one and
 * answers 429 with `Retry-After` when any is exceeded.
 */
export async function enforceLimits(store: RateLimitStore, reply: FastifyReply, rules: LimitRule[]): Promise<void> {
  let tightest: { remaining: number; max: number; resetAt: number } | undefined
  for (const rule of rules) {
    const { count, resetAt } = await store.hit(rule.key, rule.windowMs)
    const remaining = Math.max(0, rule.max - count)
    if (!tightest || remaining < tightest.remaining) tightest = { remaining, max: rule.max, resetAt }
    if (count > rule.max) {
      store.rejected?.(rule.key.split(':').slice(0, 2).join(':'))
      const retryAfter = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000))
      setHeaders(reply, rule.max, 0, retryAfter)
      throw tooManyRequests(retryAfter)
    }
  }
  if (tightest) setHeaders(reply, tightest.max, tightest.remaining, Math.ceil((tightest.resetAt - Date.now()) / 1000))
}

function setHeaders(reply: FastifyReply, limit: number, remaining: number, reset: number) {
  reply.header('ratelimit-limit', limit)
  reply.header('ratelimit-remaining', remaining)
  reply.header('ratelimit-reset', Math.max(0, reset))
}

/**
 * Step 2 of the API's pipeline (see api.ts): the general limit on every request to the plugin it
 * is registered in (its 404s too), per user or token when authenticated, per IP otherwise.
 */
export function registerRateLimit(app: FastifyInstance, store: RateLimitStore, config: Config) {
  if (!config.RATE_LIMIT_ENABLED) {
    app.log.warn('rate limits are disabled (RATE_LIMIT_ENABLED=false)')
    return
  }
  app.addHook('onRequest', async (req: FastifyRequest, reply) => {
    if (req.routeOptions.config.rateLimit === false) return
    const actor = req.actor
    const rule: LimitRule = actor
      ? {
          key: actor.tokenId ? `api:token:${actor.tokenId}` : `api:user:${actor.userId}`,
          max: config.RATE_LIMIT_USER_PER_MIN,
          windowMs: 60_000,
        }
      : { key: `api:ip:${req.ip}`, max: config.RATE_LIMIT_ANON_PER_MIN, windowMs: 60_000 }
    await enforceLimits(store, reply, [rule])
  })
}
