import { and, eq, isNull, lt, or, sql } from 'drizzle-orm'
import { TransactionRollbackError } from 'drizzle-orm/errors'
import type { Db } from '../db/client.ts'
import { serverError } from '../db/errors.ts'
import { idempotencyKeys } from '../db/tables/idempotency-keys.ts'
import { keyInProgress, serviceUnavailable } from './problem.ts'

/** Keys are kept (and replayed) this long. */
export const TTL_MS = 24 * 60 * 60_000
// a retry waits this long for the transaction of a request with the same key before answering 409
const WAIT_FOR_OTHER = '15s'
const LOCK_NOT_AVAILABLE = '55P03'

/** The key a request was sent with, and what identifies its request. */
export interface Claim {
  userId: string
  key: string
  requestHash: string
}

/** A first answer, as stored with its key and replayed to every retry. */
export interface Outcome {
  responseStatus: number
  responseBody: string
  responseHeaders: Record<string, string>
}

/** A concurrent request with the same key committed first: answer from its stored outcome. */
export class KeyTaken extends Error {}

/**
 * The writes of one request sent with an Idempotency-Key, through `db` (a Drizzle handle, handed to
 * the route's service instead of the app's): its first transaction claims the key, runs the
 * service's callback, and then stays open until the answer is known (`commit`, from `onSend`), so
 * the answer is stored in the same transaction as the create. A crash at any point leaves both or
 * neither: a retry replays the stored answer or finds nothing written (Stripe's "atomic phases").
 * Until the transaction ends, the request's other queries and transactions (savepoints) run in it.
 */
export interface KeyedWrites {
  db: Db
  claim: Claim
  /**
   * `idle`: no transaction yet; `held`: the claiming transaction ran its callback and waits for
   * `commit`; `done`: it ended (committed, or rolled back by `abandon`).
   */
  readonly state: 'idle' | 'opening' | 'held' | 'done'
  /** Stores the answer in the claiming transaction and commits; rejects when that fails (nothing was written). */
  commit(outcome: Outcome): Promise<void>
  /** Rolls back what the request wrote and makes any later transaction of it roll back (it failed, or its client left). */
  abandon(): Promise<void>
}

/** The claim inside the transaction: a live row of the same key (committed meanwhile) wins. */
async function claimKey(tx: Db, claim: Claim): Promise<void> {
  await tx.execute(sql.raw(`set local lock_timeout = '${WAIT_FOR_OTHER}'`))
  let won: unknown[]
  try {
    won = await tx
      .insert(idempotencyKeys)
      .values(claim)
      .onConflictDoUpdate({
        target: [idempotencyKeys.userId, idempotencyKeys.key],
        set: {
          requestHash: claim.requestHash,
          responseStatus: null,
          responseBody: null,
          responseHeaders: null,
          createdAt: sql`now()`,
        },
        // an expired key, or a claim without an answer (left by a version that committed claims apart)
        setWhere: or(
          isNull(idempotencyKeys.responseStatus),
          lt(idempotencyKeys.createdAt, new Date(Date.now() - TTL_MS)),
        ),
      })
      .returning({ key: idempotencyKeys.key })
  } catch (err) {
    // the insert waited that long on a concurrent transaction claiming the same key
    if (serverError(err)?.code === LOCK_NOT_AVAILABLE) {
      throw keyInProgress()
    }
    throw err
  }
  if (!won.length) throw new KeyTaken()
  // the create itself waits for locks as any other write does
  await tx.execute(sql.raw('set local lock_timeout to default'))
}

type Transaction = Db['transaction']

export function keyedWrites(db: Db, claim: Claim): KeyedWrites {
  let state: 'idle' | 'opening' | 'held' | 'done' = 'idle'
  let tx: Db | undefined
  let abandoned = false
  let decide: (outcome: Outcome | null) => void = () => {}
  let settled: Promise<void> = Promise.resolve()

  const claiming = ((callback, config) => {
    if (abandoned) return Promise.reject(serviceUnavailable('The request was cut off before it was answered'))
    state = 'opening'
    const decided = new Promise<Outcome | null>((resolve) => {
      decide = resolve
    })
    let handedBack = false
    return new Promise((resolve, reject) => {
      settled = db
        .transaction(async (t) => {
          await claimKey(t, claim)
          const result = await callback(t as never)
          // the client left before the callback ended: nobody will be answered, so nothing stays
          if (abandoned) throw serviceUnavailable('The request was cut off before it was answered')
          tx = t
          state = 'held'
          handedBack = true
          resolve(result)
          const outcome = await decided
          if (!outcome) t.rollback()
          const mine = and(eq(idempotencyKeys.userId, claim.userId), eq(idempotencyKeys.key, claim.key))
          await t.update(idempotencyKeys).set(outcome!).where(mine)
        }, config)
        .then(
          () => {
            state = 'done'
          },
          (err) => {
            if (!handedBack) {
              // the callback (or the claim) failed: the caller gets its error, and may try again
              state = 'idle'
              reject(err)
              return
            }
            state = 'done'
            if (!(err instanceof TransactionRollbackError)) throw err
          },
        )
      // awaited by commit; a failure nobody awaits (the request was abandoned) is no crash
      settled.catch(() => {})
    })
  }) as Transaction

  const proxy = new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction') {
        if (state === 'held') return tx!.transaction.bind(tx)
        if (state === 'idle') return claiming
      }
      const base = state === 'held' ? tx! : target
      const value = Reflect.get(base, prop, base)
      return typeof value === 'function' && prop !== 'constructor' ? value.bind(base) : value
    },
  })

  return {
    db: proxy,
    claim,
    get state() {
      return state
    },
    async commit(outcome) {
      decide(outcome)
      await settled
    },
    async abandon() {
      abandoned = true
      decide(null)
      await settled.catch(() => {})
    },
  }
}
