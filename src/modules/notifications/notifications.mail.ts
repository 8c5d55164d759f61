import { composeMail } from '../../infra/mail-compose.ts'
import type { MailMessage } from '../../infra/mailer.ts'

const optOut = (kind: string) =>
  `You get this because ${kind} emails are on. Turn them off with PATCH /api/v1/users/me {"notifications":{"${kind}":false}}.`

export const taskLink = (base: string, taskId: string) => `${base}/api/v1/tasks/${taskId}`

export function assignedMail(to: string, task: { id: string; title: string }, by: string, base: string): MailMessage {
  return composeMail(
    to,
    `${by} assigned you: ${task.title}`,
    [`${by} assigned you the task “${task.title}”.`],
    { url: taskLink(base, task.id), label: 'Open the task' },
    optOut('assigned'),
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
    optOut('reminders'),
  )
}

export function webhookDisabledMail(
  to: string,
  hook: { id: string; url: string; teamName: string },
  base: string,
): MailMessage {
  const host = URL.canParse(hook.url) ? new URL(hook.url).host : 'its receiver'
  return composeMail(
    to,
    `Webhook switched off in ${hook.teamName}`,
    [
      `A webhook of the team “${hook.teamName}” (to ${host}) has failed every delivery for 3 days, so Tasklane switched it off.`,
      'Fix the receiver, check it with a ping, then switch the webhook back on (PATCH with {"active": true}).',
    ],
    { url: `${base}/api/v1/webhooks/${hook.id}/deliveries`, label: 'See its deliveries' },
    optOut('webhooks'),
  )
}
