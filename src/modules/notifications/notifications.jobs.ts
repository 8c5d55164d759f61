import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { jobs } from '../../db/tables/jobs.ts'
import { tasks } from '../../db/tables/tasks.ts'
import { teams } from '../../db/tables/teams.ts'
import { users } from '../../db/tables/users.ts'
import { webhooks } from '../../db/tables/webhooks.ts'
import { deliverMail } from '../../infra/mail-compose.ts'
import type { Mailer, MailMessage } from '../../infra/mailer.ts'
import type { JobContext, JobDefinition } from '../../infra/queue.ts'
import { visibleTo } from '../access/index.ts'
import { assignedMail, jobFinishedMail, reminderMail, webhookDisabledMail } from './notifications.mail.ts'

export const ASSIGNED_JOB = 'notifications.assigned'
export const REMINDER_JOB = 'notifications.reminder'
export const WEBHOOK_DISABLED_JOB = 'notifications.webhook-disabled'
export const JOB_FINISHED_JOB = 'notifications.job-finished'

type NotificationKind = 'assigned' | 'reminders' | 'webhooks' | 'jobs'

export interface NotificationDeps {
  db: Db
  mailer: Mailer
  /** where links in emails point (PUBLIC_URL) */
  baseUrl: string
  onEmail?: (outcome: 'sent' | 'failed') => void
}

/** The user's address, unless they are disabled, gone, or turned this kind of email off. */
async function recipient(db: Db, userId: string | null, kind: NotificationKind) {
  if (!userId) return null
  const [u] = await db
    .select({
      id: users.id,
      role: users.role,
      email: users.email,
      name: users.name,
      disabled: users.disabled,
      notifications: users.notifications,
    })
    .from(users)
    .where(eq(users.id, userId))
  if (!u || u.disabled || u.notifications[kind] === false) return null
  return u
}

/**
 * Whether the user sees the task now (the API's own visibility rule): an email about a task is
 * decided when it is sent, not when it was queued, so someone who has left the team since gets none.
 */
async function sees(db: Db, user: { id: string; role: 'user' | 'admin' }, taskId: string) {
  const [row] = await db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.id, taskId), visibleTo({ userId: user.id, role: user.role }, tasks.teamId)))
  return row !== undefined
}

function sender(deps: NotificationDeps) {
  return (message: MailMessage, ctx: JobContext, kind: NotificationKind) =>
    deliverMail(deps.mailer, message, ctx.log, kind, { onEmail: deps.onEmail })
}

/**
 * Emails sent by the worker: assignment, reminders at `remindAt`, a webhook switched off, an export,
 * import or report finished.
 */
export function notificationJobs(deps: NotificationDeps): JobDefinition<never>[] {
  const { db, baseUrl } = deps
  const send = sender(deps)
  const skipped = (reason: string) => ({ outcome: 'skipped', reason })

  const assigned: JobDefinition<{ taskId: string; assigneeId: string; actorId: string | null }> = {
    name: ASSIGNED_JOB,
    retryLimit: 5,
    retryDelaySeconds: 30,
    handle: async ({ taskId, assigneeId, actorId }, ctx) => {
      const [task] = await db
        .select({ id: tasks.id, title: tasks.title, assigneeId: tasks.assigneeId })
        .from(tasks)
        .where(eq(tasks.id, taskId))
      if (!task) return skipped('task gone')
      // reassigned (or unassigned on leaving the team) before this job ran: the new assignee has their own
      if (task.assigneeId !== assigneeId) return skipped('no longer the assignee')
      const to = await recipient(db, assigneeId, 'assigned')
      if (!to) return skipped('opted out')
      if (!(await sees(db, to, taskId))) return skipped('cannot see the task')
      const [actor] = actorId ? await db.select({ name: users.name }).from(users).where(eq(users.id, actorId)) : []
      return send(assignedMail(to.email, task, actor?.name ?? 'Someone', baseUrl), ctx, 'assigned')
    },
  }

  // The job carries the remindAt it was scheduled for: a moved reminder leaves a stale job behind,
  // which finds the task changed and sends nothing; so does one for a task done, cancelled or deleted.
  const reminder: JobDefinition<{ taskId: string; remindAt: string }> = {
    name: REMINDER_JOB,
    retryLimit: 5,
    retryDelaySeconds: 30,
    handle: async ({ taskId, remindAt }, ctx) => {
      const [task] = await db.select().from(tasks).where(eq(tasks.id, taskId))
      if (!task) return skipped('task gone')
      if (task.remindAt?.toISOString() !== new Date(remindAt).toISOString()) return skipped('reminder moved')
      if (task.status === 'done' || task.status === 'cancelled') return skipped(`task ${task.status}`)
      const to = await recipient(db, task.assigneeId ?? task.createdBy, 'reminders')
      if (!to) return skipped('opted out')
      if (!(await sees(db, to, taskId))) return skipped('cannot see the task')
      return send(reminderMail(to.email, task, baseUrl), ctx, 'reminders')
    },
  }

  const webhookDisabled: JobDefinition<{ webhookId: string; userId: string }> = {
    name: WEBHOOK_DISABLED_JOB,
    retryLimit: 5,
    retryDelaySeconds: 30,
    handle: async ({ webhookId, userId }, ctx) => {
      const [hook] = await db
        .select({ id: webhooks.id, url: webhooks.url, teamId: webhooks.teamId, teamName: teams.name })
        .from(webhooks)
        .innerJoin(teams, eq(teams.id, webhooks.teamId))
        .where(eq(webhooks.id, webhookId))
      if (!hook) return skipped('webhook gone')
      const to = await recipient(db, userId, 'webhooks')
      if (!to) return skipped('opted out')
      return send(webhookDisabledMail(to.email, hook, baseUrl), ctx, 'webhooks')
    },
  }

  // decided when sent: a job deleted since, or whose creator has left its team, sends nothing
  const jobFinished: JobDefinition<{ jobId: string; status: 'done' | 'failed' }> = {
    name: JOB_FINISHED_JOB,
    retryLimit: 5,
    retryDelaySeconds: 30,
    handle: async ({ jobId, status }, ctx) => {
      const [job] = await db
        .select({
          id: jobs.id,
          kind: jobs.kind,
          status: jobs.status,
          teamId: jobs.teamId,
          teamName: teams.name,
          createdBy: jobs.createdBy,
          params: jobs.params,
          result: jobs.result,
          error: jobs.error,
        })
        .from(jobs)
        .innerJoin(teams, eq(teams.id, jobs.teamId))
        .where(eq(jobs.id, jobId))
      if (!job) return skipped('job gone')
      if (job.status !== status) return skipped(`job ${job.status}`)
      const to = await recipient(db, job.createdBy, 'jobs')
      if (!to) return skipped('opted out')
      const [member] = await db
        .select({ id: teams.id })
        .from(teams)
        .where(and(eq(teams.id, job.teamId), visibleTo({ userId: to.id, role: to.role }, teams.id)))
      if (!member) return skipped('no longer in the team')
      return send(jobFinishedMail(to.email, { ...job, status }, baseUrl), ctx, 'jobs')
    },
  }

  return [assigned, reminder, webhookDisabled, jobFinished] as JobDefinition<never>[]
}
