import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Transporter } from 'nodemailer'

export interface MailMessage {
  to: string
  subject: string
  text: string
  html: string
}

interface SentMail {
  messageId: string
  /** where the outbox kept it (no SMTP configured) */
  file?: string
}

/** Sends email: over SMTP when configured, otherwise into a local outbox directory. */
export interface Mailer {
  readonly kind: 'smtp' | 'outbox'
  send(message: MailMessage): Promise<SentMail>
  close(): void
}

/**
 * nodemailer's transport, made on the first message: the package (~3 MB of heap, ~5 MB of resident
 * memory) is loaded by the process that sends, not by every API instance that only queues emails.
 */
function lazyTransport(options: Parameters<typeof import('nodemailer').createTransport>[0]) {
  let transport: Promise<Transporter> | undefined
  return {
    get: () => {
      transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(options))
      return transport
    },
    close: () => void transport?.then((t) => t.close()).catch(() => {}),
  }
}

/** SMTP through nodemailer (`smtp://user:pass@host:587`, `smtps://…` for implicit TLS). */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = lazyTransport(url)
  return {
    kind: 'smtp',
    async send(message) {
      const info = await (await transport.get()).sendMail({ from, ...message })
      return { messageId: info.messageId }
    },
    close: transport.close,
  }
}

/**
 * No SMTP: each message is built exactly as it would be sent and kept as `<time>-<id>.eml` (open it
 * in any mail client) with a `.json` summary beside it, so a newcomer sees what would have gone out.
 */
export function outboxMailer(dir: string, from: string): Mailer {
  const transport = lazyTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  return {
    kind: 'outbox',
    async send(message) {
      const info = await (await transport.get()).sendMail({ from, ...message })
      await mkdir(dir, { recursive: true })
      const base = `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^A-Za-z0-9]/g, '').slice(0, 24)}`
      const file = join(dir, `${base}.eml`)
      await writeFile(file, info.message as Buffer)
      await writeFile(
        join(dir, `${base}.json`),
        `${JSON.stringify({ from, ...message, messageId: info.messageId }, null, 2)}\n`,
      )
      return { messageId: info.messageId, file }
    },
    close: transport.close,
  }
}

export function openMailer(config: { SMTP_URL?: string; MAIL_FROM: string; DATA_DIR: string }): Mailer {
  return config.SMTP_URL
    ? smtpMailer(config.SMTP_URL, config.MAIL_FROM)
    : outboxMailer(join(config.DATA_DIR, 'outbox'), config.MAIL_FROM)
}
