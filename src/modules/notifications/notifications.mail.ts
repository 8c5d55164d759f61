import type { MailMessage } from '../../infra/mailer.ts'

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** Plain text plus the same in simple HTML, with one link. */
function mail(
  to: string,
  subject: string,
  lines: string[],
  link: { url: string; label: string },
  footer: string,
): MailMessage {
  const text = `${lines.join('\n\n')}\n\n${link.label}: ${link.url}\n\n--\n${footer}\n`
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')}
<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>
<p style="color:#777;font-size:12px">${escapeHtml(footer)}</p>
</body></html>
`
  return { to, subject, text, html }
}

const optOut = (kind: string) =>
  `You get this because ${kind} emails are on. Turn them off with PATCH /api/v1/users/me {"notifications":{"${kind}":false}}.`

export const taskLink = (base: string, taskId: string) => `${base}/api/v1/tasks/${taskId}`

export function assignedMail(to: string, task: { id: string; title: string }, by: string, base: string): MailMessage {
  return mail(
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
  return mail(
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
  return mail(
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
