import { and, eq, lt } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { Db } from '../db/client.ts'
import { sha256 } from '../lib/crypto.ts'
import { idempotencyKeys } from './idempotency.table.ts'
import { badRequest, conflict, unprocessable } from './problem.ts'
import { ProblemDetails } from './schemas.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** a create route: honours Idempotency-Key */
    idempotent?: boolean
  }
  interface FastifyRequest {
    idempotency?: { userId: string; key: string }
  }
}

const TTL_MS = 24 * 60 * 60_000
// a first request that has not answered after this long is taken as lost (its process died)
const ABANDONED_MS = 60_000
const WAIT_MS = 15_000
const KEY = /^[\x21-\x7e]{1,255}$/
const REPLAYED_HEADERS = ['location', 'etag', 'content-type']

const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .meta({ description: 'Retry safely: the same key and body within 24 h replays the first response' }),
})

/**
 * Idempotency-Key on create routes (`config: { idempotent: true }`). The first request claims the
 * key with an insert (the primary key decides between concurrent ones); its 2xx answer is stored
 * and replayed to every retry with the same body for 24 h; a concurrent retry waits for it.
 */
export function registerIdempotency(app: FastifyInstance, db: Db) {
  app.addHook('onRoute', (route) => {
    if (!(route.config as { idempotent?: boolean } | undefined)?.idempotent) return
    route.schema ??= {}
    const schema = route.schema as { headers?: unknown; response?: Record<number, unknown> }
    schema.headers ??= IdempotencyHeaders
    schema.response = { 422: ProblemDetails, ...schema.response }
  })

  app.addHook('preHandler', async (req, reply) => {
    const key = req.headers['idempotency-key']
    if (!req.routeOptions.config.idempotent || key === undefined || !req.actor) return
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw badRequest('Idempotency-Key must be 1..255 printable characters', [
        { path: 'headers.idempotency-key', message: 'must be 1..255 printable ASCII characters' },
      ])
    }
    const userId = req.actor.userId
    const requestHash = sha256(`${req.method} ${req.url}\n${JSON.stringify(req.body ?? null)}`)
    const deadline = Date.now() + WAIT_MS
    while (Date.now() < deadline) {
      const claimed = await db
        .insert(idempotencyKeys)
        .values({ userId, key, requestHash })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key })
      if (claimed.length) {
        req.idempotency = { userId, key }
        return
      }
      const [prior] = await db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)))
      if (!prior) continue
      const age = Date.now() - prior.createdAt.getTime()
      const stale = age > TTL_MS || (prior.responseStatus === null && age > ABANDONED_MS)
      if (stale) {
        await db
          .delete(idempotencyKeys)
          .where(
            and(
              eq(idempotencyKeys.userId, userId),
              eq(idempotencyKeys.key, key),
              eq(idempotencyKeys.createdAt, prior.createdAt),
            ),
          )
        continue
      }
      if (prior.requestHash !== requestHash) {
        throw unprocessable('This Idempotency-Key was used with a different request')
      }
      if (prior.responseStatus !== null) {
        return reply
          .code(prior.responseStatus)
          .headers({ ...prior.responseHeaders, 'idempotent-replayed': 'true' })
          .serializer((p: unknown) => p as string)
          .send(prior.responseBody ?? '')
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw conflict('A request with this Idempotency-Key is still in progress; retry later')
  })

  app.addHook('onSend', async (req, reply, payload) => {
    const claim = req.idempotency
    if (!claim) return payload
    req.idempotency = undefined
    const where = and(eq(idempotencyKeys.userId, claim.userId), eq(idempotencyKeys.key, claim.key))
    if (reply.statusCode >= 200 && reply.statusCode < 300 && (typeof payload === 'string' || payload == null)) {
      const headers: Record<string, string> = {}
      for (const h of REPLAYED_HEADERS) {
        const v = reply.getHeader(h)
        if (v !== undefined) headers[h] = String(v)
      }
      await db
        .update(idempotencyKeys)
        .set({
          responseStatus: reply.statusCode,
          responseBody: (payload as string | null) ?? '',
          responseHeaders: headers,
        })
        .where(where)
    } else {
      // a failed attempt stores nothing: the client may fix the request and retry with the same key
      await db.delete(idempotencyKeys).where(where)
    }
    return payload
  })
}

/** Removes keys older than 24 h (run periodically). */
export async function sweepIdempotencyKeys(db: Db): Promise<number> {
  const rows = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(Date.now() - TTL_MS)))
    .returning({ key: idempotencyKeys.key })
  return rows.length
}
