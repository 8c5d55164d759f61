import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import type { ActivityRow } from '../../db/tables/activity.ts'
import { webhookDeliveries, webhooks } from '../../db/tables/webhooks.ts'
import type { Queue } from '../../infra/queue.ts'
import { newId } from '../../lib/ids.ts'
import { iso } from '../../lib/time.ts'
import type { LogConsumer } from '../activity/index.ts'
import { toEvent } from '../events/index.ts'
import { DELIVER_JOB } from './webhooks.deliver.ts'

const wants = (events: string[], action: string) => events.includes('*') || events.includes(action)

/**
 * One delivery (and one job) per log entry and active webhook of its team whose filter matches.
 * The unique (webhook, entry) index makes a replayed batch a no-op rather than a duplicate.
 */
export function webhookConsumer(queue: Pick<Queue, 'send'>): LogConsumer {
  return async (tx: Db, entries: ActivityRow[]) => {
    const teamIds = [...new Set(entries.map((e) => e.teamId).filter((t): t is string => t !== null))]
    if (!teamIds.length) return
    const hooks = await tx
      .select({ id: webhooks.id, teamId: webhooks.teamId, events: webhooks.events, createdAt: webhooks.createdAt })
      .from(webhooks)
      .where(and(inArray(webhooks.teamId, teamIds), eq(webhooks.active, true)))
    if (!hooks.length) return
    const rows = entries.flatMap((e) =>
      hooks
        // a webhook receives what happened since it was created, not the team's history
        .filter((h) => h.teamId === e.teamId && wants(h.events, e.action) && e.createdAt >= h.createdAt)
        .map((h) => {
          const id = newId()
          return {
            id,
            webhookId: h.id,
            activityId: e.id,
            type: e.action,
            payload: { id, type: e.action, createdAt: iso(e.createdAt), data: toEvent(e) },
          }
        }),
    )
    if (!rows.length) return
    const created = await tx
      .insert(webhookDeliveries)
      .values(rows)
      .onConflictDoNothing()
      .returning({ id: webhookDeliveries.id })
    for (const { id } of created) await queue.send(DELIVER_JOB, { deliveryId: id }, { tx })
  }
}
