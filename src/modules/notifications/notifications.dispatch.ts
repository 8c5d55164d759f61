import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import type { ActivityRow } from '../../db/tables/activity.ts'
import { teamMembers } from '../../db/tables/teams.ts'
import type { Queue } from '../../infra/queue.ts'
import type { LogConsumer } from '../activity/index.ts'
import { ASSIGNED_JOB, JOB_FINISHED_JOB, REMINDER_JOB, WEBHOOK_DISABLED_JOB } from './notifications.jobs.ts'

const changedTo = (e: ActivityRow, field: string) => {
  const to = e.changes[field]?.to
  return typeof to === 'string' ? to : null
}

/**
 * Turns log entries into email jobs, in the dispatcher's transaction: an assignment (not of
 * oneself), a `remindAt` set or moved (a job that starts at that time), a webhook switched off
 * (one email per team admin), an export, import or report finished (done or failed: one email to
 * its creator, the entry's actor). No edits to the tasks module: the log says everything needed.
 */
export function notificationConsumer(queue: Pick<Queue, 'send'>, now: () => Date): LogConsumer {
  return async (tx: Db, entries: ActivityRow[]) => {
    for (const e of entries) {
      if (e.action === 'task.created' || e.action === 'task.updated') {
        const assigneeId = changedTo(e, 'assigneeId')
        if (assigneeId && assigneeId !== e.actorId) {
          await queue.send(ASSIGNED_JOB, { taskId: e.entityId, assigneeId, actorId: e.actorId }, { tx })
        }
        const remindAt = changedTo(e, 'remindAt')
        if (remindAt) {
          const at = new Date(remindAt)
          await queue.send(
            REMINDER_JOB,
            { taskId: e.entityId, remindAt },
            { tx, ...(at > now() ? { startAfter: at } : {}) },
          )
        }
      } else if (e.action === 'webhook.disabled' && e.teamId) {
        const admins = await tx
          .select({ userId: teamMembers.userId })
          .from(teamMembers)
          .where(and(eq(teamMembers.teamId, e.teamId), inArray(teamMembers.role, ['owner', 'admin'])))
        for (const { userId } of admins) {
          await queue.send(WEBHOOK_DISABLED_JOB, { webhookId: e.entityId, userId }, { tx })
        }
      } else if (e.action === 'job.updated') {
        const status = changedTo(e, 'status')
        if (status === 'done' || status === 'failed') {
          await queue.send(JOB_FINISHED_JOB, { jobId: e.entityId, status }, { tx })
        }
      }
    }
  }
}
