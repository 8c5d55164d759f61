import { and, eq, lt } from 'drizzle-orm'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Db } from '../db/client.ts'
import { idempotencyKeys } from '../db/tables/idempotency-keys.ts'
import { sha256 } from '../lib/crypto.ts'
import { type Claim, type KeyedWrites, KeyTaken, keyedWrites, type Outcome, TTL_MS } from './idempotency.writes.ts'
import { badRequest, keyInProgress, keyReused, serviceUnavailable } from './problem.ts'
import { ProblemDetails } from './schemas.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** a create route: honours Idempotency-Key (its service writes through `writesOf(req, db)`) */
    idempotent?: boolean
  }
  interface FastifyRequest {
    idempotency?: KeyedWrites
  }
}

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
 * The database a keyed create writes through: for a request with an Idempotency-Key, the handle
 * whose first transaction also claims the key and stores the answer (see keyedWrites); `db` otherwise.
 */
export const writesOf = (req: FastifyRequest, db: Db): Db => req.idempotency?.db ?? db

/** The stored answer of a live key, or undefined (none, expired, or a claim without an answer). */
async function answered(db: Db, claim: Claim) {
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, claim.userId), eq(idempotencyKeys.key, claim.key)))
  if (!row || row.responseStatus === null || Date.now() - row.createdAt.getTime() > TTL_MS) return undefined
  return row
}

/** Answers with the stored first response (422 when the key came with another request). */
function replay(reply: FastifyReply, claim: Claim, row: NonNullable<Awaited<ReturnType<typeof answered>>>) {
  if (row.requestHash !== claim.requestHash) {
    throw keyReused()
  }
  return reply
    .code(row.responseStatus!)
    .headers({ ...row.responseHeaders, 'idempotent-replayed': 'true' })
    .serializer((p: unknown) => p as string)
    .send(row.responseBody ?? '')
}

/**
 * Idempotency-Key on create routes (`config: { idempotent: true }`). A key already answered replays
 * that answer (the same body) or is a 422 (another body). Otherwise the route's service writes
 * through `writesOf(req, db)`: its transaction claims the key first (a concurrent request with the
 * same key waits for it, then replays its answer) and commits only once the answer is stored with
 * the key, in `onSend`; an answer that is not a 2xx rolls everything back, key included, so the
 * client may fix the request and retry with the same key.
 */
export function registerIdempotency(app: FastifyInstance, db: Db) {
  app.addHook('onRoute', (route) => {
    if (!(route.config as { idempotent?: boolean } | undefined)?.idempotent) return
    route.schema ??= {}
    const schema = route.schema as { headers?: unknown; response?: Record<number, unknown> }
    schema.headers ??= IdempotencyHeaders
    // a malformed key (400), a first request with that key still running (409), another body (422)
    schema.response = { 400: ProblemDetails, 409: ProblemDetails, 422: ProblemDetails, ...schema.response }
    // a concurrent request with the same key committed first: answer as a retry after it would be
    const handler = route.handler
    route.handler = async function (this: FastifyInstance, req, reply) {
      try {
        return await handler.call(this, req, reply)
      } catch (err) {
        if (!(err instanceof KeyTaken) || !req.idempotency) throw err
        const claim = req.idempotency.claim
        req.idempotency = undefined
        const row = await answered(db, claim)
        if (!row) throw keyInProgress()
        return replay(reply, claim, row)
      }
    }
  })

  app.addHook('preHandler', async (req, reply) => {
    const key = req.headers['idempotency-key']
    if (!req.routeOptions.config.idempotent || key === undefined || !req.actor) return
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw badRequest('Idempotency-Key must be 1..255 printable characters', [
        { path: 'headers.idempotency-key', message: 'must be 1..255 printable ASCII characters' },
      ])
    }
    const claim = {
      userId: req.actor.userId,
      key,
      requestHash: sha256(`${req.method} ${req.url}\n${JSON.stringify(req.body ?? null)}`),
    }
    const row = await answered(db, claim)
    if (row) return replay(reply, claim, row)
    const writes = keyedWrites(db, claim)
    req.idempotency = writes
    // a client that leaves before its answer gets nothing written (see keyedWrites)
    reply.raw.once('close', () => void writes.abandon())
  })

  app.addHook('onSend', async (req, reply, payload) => {
    const writes = req.idempotency
    if (!writes) return payload
    req.idempotency = undefined
    const success = reply.statusCode >= 200 && reply.statusCode < 300
    if (!success || (typeof payload !== 'string' && payload != null)) {
      await writes.abandon()
      return payload
    }
    const headers: Record<string, string> = {}
    for (const h of REPLAYED_HEADERS) {
      const v = reply.getHeader(h)
      if (v !== undefined) headers[h] = String(v)
    }
    const outcome = {
      responseStatus: reply.statusCode,
      responseBody: (payload as string | null) ?? '',
      responseHeaders: headers,
    }
    try {
      if (writes.state === 'held') await writes.commit(outcome)
      else if (writes.state === 'idle') {
        // the route wrote nothing through writesOf: its answer is kept, but not atomically with its writes
        req.log.error({ route: req.routeOptions.url }, 'keyed create answered outside its claiming transaction')
        await storeApart(db, writes.claim, outcome)
      } else throw serviceUnavailable('The request was cut off before it was answered')
    } catch (err) {
      // nothing was created: the error handler answers instead (a problem, with the request id)
      for (const h of REPLAYED_HEADERS) reply.removeHeader(h)
      throw err
    }
    return payload
  })
}

/** Stores an answer with its key outside any transaction of the request (a route not using writesOf). */
async function storeApart(db: Db, claim: Claim, outcome: Outcome) {
  await db
    .insert(idempotencyKeys)
    .values({ ...claim, ...outcome })
    .onConflictDoUpdate({ target: [idempotencyKeys.userId, idempotencyKeys.key], set: outcome })
}

/** Removes keys older than 24 h (the hourly `idempotency.sweep-keys` job, idempotency.jobs.ts). */
export async function sweepIdempotencyKeys(db: Db): Promise<number> {
  const rows = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(Date.now() - TTL_MS)))
    .returning({ key: idempotencyKeys.key })
  return rows.length
}
