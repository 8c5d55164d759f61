import type { Logger } from 'pino'
import type { Mailer, MailMessage } from './mailer.ts'

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** An email as plain text plus the same in simple HTML, with one link (when given) and a footer. */
export function composeMail(
  to: string,
  subject: string,
  lines: string[],
  link: { url: string; label: string } | null,
  footer: string,
): MailMessage {
  const linkText = link ? `${link.label}: ${link.url}\n\n` : ''
  const text = `${lines.join('\n\n')}\n\n${linkText}--\n${footer}\n`
  const linkHtml = link ? `<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>\n` : ''
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')}
${linkHtml}<p style="color:#777;font-size:12px">${escapeHtml(footer)}</p>
</body></html>
`
  return { to, subject, text, html }
}

/**
 * Sends one message and logs the outcome. Without SMTP the message goes to the outbox; its text is
 * logged unless it carries a secret (a sign-in link), which only the outbox file keeps.
 */
export async function deliverMail(
  mailer: Mailer,
  message: MailMessage,
  log: Logger,
  kind: string,
  opts: { onEmail?: (outcome: 'sent' | 'failed') => void; secret?: boolean } = {},
) {
  try {
    const sent = await mailer.send(message)
    opts.onEmail?.('sent')
    if (mailer.kind === 'outbox') {
      log.info(
        {
          kind,
          to: message.to,
          subject: message.subject,
          file: sent.file,
          ...(opts.secret ? {} : { text: message.text }),
        },
        'email not sent (no SMTP_URL): kept in the outbox',
      )
    } else log.info({ kind, to: message.to, messageId: sent.messageId }, 'email sent')
    return { outcome: 'sent' as const }
  } catch (err) {
    opts.onEmail?.('failed')
    throw err
  }
}
