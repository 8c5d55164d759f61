import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { webhookAttempts, webhookDeliveries, webhooks } from '../../db/tables/webhooks.ts'
import type { JobContext, JobDefinition } from '../../infra/queue.ts'
import { newId } from '../../lib/ids.ts'
import { recordActivity } from '../activity/index.ts'
import { type LookupAll, resolveTarget, UnsafeUrlError } from './ssrf.ts'
import { postPinned, type SendResult, signature, TIMEOUT_MS } from './webhooks.send.ts'

export const DELIVER_JOB = 'webhooks.deliver'
/** pg-boss retries with jittered exponential backoff: 15 s · 2^n · (1..2), 12 retries ≈ a day in all */
const RETRY_LIMIT = 12
const RETRY_DELAY_SECONDS = 15
/** a webhook whose deliveries have failed for this long is switched off */
const DISABLE_AFTER_MS = 3 * 24 * 3600 * 1000

export type DeliveryOutcome = 'delivered' | 'retrying' | 'failed' | 'disabled' | 'skipped'

export interface DeliverOptions {
  db: Db
  /** the clock (tests move it to simulate days of failures) */
  now: () => Date
  allowPrivate: boolean
  lookup?: LookupAll
  retryLimit?: number
  retryDelaySeconds?: number
  timeoutMs?: number
  onOutcome?: (outcome: DeliveryOutcome) => void
  /** seconds from the change to its delivery (not for pings and redeliveries) */
  onDelivered?: (lagSeconds: number) => void
}

export interface DeliverJobData {
  deliveryId: string
  /** sent even to a switched-off webhook (ping, redeliver) */
  force?: boolean
}

async function attempt(
  url: string,
  secret: string,
  payload: unknown,
  headers: Record<string, string>,
  at: Date,
  opts: DeliverOptions,
): Promise<SendResult> {
  try {
    // checked again now, on the address actually connected to: the host may resolve elsewhere since creation
    const target = await resolveTarget(url, { allowPrivate: opts.allowPrivate, lookup: opts.lookup })
    const body = JSON.stringify(payload)
    return await postPinned(
      target,
      body,
      { ...headers, 'tasklane-signature': signature(secret, body, at) },
      opts.timeoutMs ?? TIMEOUT_MS,
    )
  } catch (err) {
    if (!(err instanceof UnsafeUrlError)) throw err
    return { statusCode: null, durationMs: 0, error: `refused: ${err.message}`, responseBody: null }
  }
}

/**
 * Sends one delivery. Any non-2xx answer or network error throws, so pg-boss retries it later
 * (same delivery id); the last retry, or a webhook failing for 3 days, marks it failed instead.
 * pg-boss hands a job to one worker at a time; a worker that dies mid-send has its job expire and
 * run again (at least once: receivers dedupe by `Tasklane-Delivery`).
 */
export function deliverJob(opts: DeliverOptions): JobDefinition<DeliverJobData> {
  const { db, now } = opts
  const retryLimit = opts.retryLimit ?? RETRY_LIMIT
  const outcome = (o: DeliveryOutcome, extra: object = {}) => {
    opts.onOutcome?.(o)
    return { outcome: o, ...extra }
  }
  return {
    name: DELIVER_JOB,
    retryLimit,
    retryDelaySeconds: opts.retryDelaySeconds ?? RETRY_DELAY_SECONDS,
    // a send takes at most the 10 s timeout: a job still active after this lost its worker and runs again
    expireInSeconds: 30,
    handle: async ({ deliveryId, force }, ctx: JobContext) => {
      const [row] = await db
        .select({ d: webhookDeliveries, w: webhooks })
        .from(webhookDeliveries)
        .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
        .where(eq(webhookDeliveries.id, deliveryId))
      if (row?.d.status !== 'pending') return outcome('skipped', { reason: row ? row.d.status : 'gone' })
      const { d, w } = row
      if (!w.active && !force) {
        await db
          .update(webhookDeliveries)
          .set({ status: 'failed', updatedAt: now() })
          .where(eq(webhookDeliveries.id, d.id))
        return outcome('skipped', { reason: 'webhook switched off' })
      }
      const startedAt = now()
      const result = await attempt(
        w.url,
        w.secret,
        d.payload,
        {
          'user-agent': 'Tasklane-Webhooks/1',
          'tasklane-delivery': d.id,
          'tasklane-event': d.type,
        },
        startedAt,
        opts,
      )
      const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300
      const at = now()

      const final = await db.transaction(async (tx) => {
        const [counted] = await tx
          .update(webhookDeliveries)
          .set({
            attempts: sql`${webhookDeliveries.attempts} + 1`,
            updatedAt: at,
            ...(ok ? { status: 'delivered' } : {}),
          })
          .where(eq(webhookDeliveries.id, d.id))
          .returning({ attempts: webhookDeliveries.attempts })
        await tx.insert(webhookAttempts).values({
          id: newId(),
          deliveryId: d.id,
          attempt: counted!.attempts,
          statusCode: result.statusCode,
          durationMs: result.durationMs,
          error: (result.error ?? (ok ? null : `HTTP ${result.statusCode}`))?.slice(0, 1000) ?? null,
          responseBody: result.responseBody,
          startedAt,
          finishedAt: new Date(startedAt.getTime() + result.durationMs),
        })
        if (ok) {
          await tx
            .update(webhooks)
            .set({ failingSince: null })
            .where(and(eq(webhooks.id, w.id), sql`${webhooks.failingSince} is not null`))
          return 'delivered' as const
        }
        const [hook] = await tx
          .update(webhooks)
          .set({ failingSince: sql`coalesce(${webhooks.failingSince}, ${at.toISOString()}::timestamptz)` })
          .where(eq(webhooks.id, w.id))
          .returning()
        if (hook?.active && at.getTime() - hook.failingSince!.getTime() >= DISABLE_AFTER_MS) {
          await tx.update(webhooks).set({ active: false, disabledAt: at, updatedAt: at }).where(eq(webhooks.id, w.id))
          // the log tells the notifier (emails to the team's admins) and the audit trail alike
          await recordActivity(tx, {
            actorId: null,
            action: 'webhook.disabled',
            entityType: 'webhook',
            entityId: w.id,
            teamId: w.teamId,
            changes: { active: { from: true, to: false } },
          })
          await tx.update(webhookDeliveries).set({ status: 'failed' }).where(eq(webhookDeliveries.id, d.id))
          return 'disabled' as const
        }
        if (ctx.lastAttempt) {
          await tx.update(webhookDeliveries).set({ status: 'failed' }).where(eq(webhookDeliveries.id, d.id))
          return 'failed' as const
        }
        return 'retrying' as const
      })
      if (final === 'retrying') {
        opts.onOutcome?.('retrying')
        throw new Error(`delivery failed (${result.error ?? `HTTP ${result.statusCode}`}), will retry`)
      }
      const changedAt = Date.parse(String(d.payload.createdAt))
      if (final === 'delivered' && !force && Number.isFinite(changedAt))
        opts.onDelivered?.((at.getTime() - changedAt) / 1000)
      return outcome(final, { statusCode: result.statusCode })
    },
  }
}
