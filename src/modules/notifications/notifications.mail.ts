import { composeMail } from '../../infra/mail-compose.ts'
import type { MailMessage } from '../../infra/mailer.ts'

// Links open the web app's pages (served by the same process at `base`), which sign the person in
// first: a link into /api/v1 would answer a browser 401 without a bearer token.
const optOut = (kind: string, base: string) =>
  `You get this because ${kind} emails are on. Turn them off on your account page (${base}/account), or with PATCH /api/v1/users/me {"notifications":{"${kind}":false}}.`

const taskLink = (base: string, taskId: string) => `${base}/tasks/${taskId}`

export function assignedMail(to: string, task: { id: string; title: string }, by: string, base: string): MailMessage {
  return composeMail(
    to,
    `${by} assigned you: ${task.title}`,
    [`${by} assigned you the task “${task.title}”.`],
    { url: taskLink(base, task.id), label: 'Open the task' },
    optOut('assigned', base),
  )
}

export function reminderMail(
  to: string,
  task: { id: string; title: string; dueAt: Date | null },
  base: string,
): MailMessage {
  const due = task.dueAt ? ` It is due ${task.dueAt.toISOString()}.` : ''
  return composeMail(
    to,
    `Reminder: ${task.title}`,
    [`This is your reminder for the task “${task.title}”.${due}`],
    { url: taskLink(base, task.id), label: 'Open the task' },
    optOut('reminders', base),
  )
}

export function webhookDisabledMail(
  to: string,
  hook: { id: string; url: string; teamId: string; teamName: string },
  base: string,
): MailMessage {
  const host = URL.canParse(hook.url) ? new URL(hook.url).host : 'its receiver'
  return composeMail(
    to,
    `Webhook switched off in ${hook.teamName}`,
    [
      `A webhook of the team “${hook.teamName}” (to ${host}) has failed every delivery for 3 days, so Tasklane switched it off.`,
      'Fix the receiver, check it with a ping, then switch the webhook back on (on the Webhooks page, or PATCH /api/v1/webhooks/:id with {"active": true}).',
    ],
    { url: `${base}/webhooks?team=${hook.teamId}`, label: 'See the team’s webhooks' },
    optOut('webhooks', base),
  )
}

const JOB_NOUN = { export: 'export', import: 'import', report: 'report' } as const

export interface FinishedJob {
  id: string
  kind: 'export' | 'import' | 'report'
  status: 'done' | 'failed'
  teamId: string
  teamName: string
  params: Record<string, unknown>
  result: Record<string, unknown> | null
  error: string | null
}

/** What the job made, in a line: rows of an export, what an import created (or would have), or why it failed. */
function jobOutcome(job: FinishedJob): string {
  const r = job.result ?? {}
  if (job.status === 'failed') {
    const errors = Array.isArray(r.errors) ? r.errors.length : 0
    if (errors > 0)
      return `It failed: ${errors}${errors === 100 ? ' or more' : ''} rows are invalid, and nothing was written.`
    return `It failed: ${job.error ?? 'unknown error'}.`
  }
  if (job.kind === 'import') {
    const c = (r.created ?? {}) as Record<string, number>
    const what = `${c.tasks ?? 0} tasks, ${c.comments ?? 0} comments, ${c.projects ?? 0} projects and ${c.tags ?? 0} tags`
    return job.params.dryRun ? `It was a dry run: it would create ${what}; nothing was written.` : `It created ${what}.`
  }
  if (job.kind === 'export') return `It holds ${r.rows ?? 0} tasks. The file is kept for 7 days.`
  return 'The PDF is kept for 7 days.'
}

/** An export, import or report has finished: to its creator, with the download (or the job). */
export function jobFinishedMail(to: string, job: FinishedJob, base: string): MailMessage {
  const noun =
    job.kind === 'export' ? `${String(job.params.format ?? '').toUpperCase()} export`.trim() : JOB_NOUN[job.kind]
  const where = job.kind === 'import' ? 'into' : 'of'
  const state = job.status === 'done' ? (job.kind === 'import' ? 'finished' : 'is ready') : 'failed'
  const download = job.status === 'done' && job.kind !== 'import'
  return composeMail(
    to,
    `Your ${noun} ${where} ${job.teamName} ${state}`,
    [`Your ${noun} ${where} the team “${job.teamName}” ${state}.`, jobOutcome(job)],
    {
      url: `${base}/import-export?team=${job.teamId}`,
      label: download ? 'Download it' : `See the ${JOB_NOUN[job.kind]}`,
    },
    optOut('jobs', base),
  )
}
