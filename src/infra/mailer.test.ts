import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSmtp } from '../../test/worker-app.ts'
import { type Mailer, openMailer, outboxMailer, smtpMailer } from './mailer.ts'

const FROM = 'Tasklane <no-reply@tasklane.test>'
const message = {
  to: 'ada@example.test',
  subject: 'Reminder: Grüße & <tags>',
  text: 'Plain words — with a link: https://tasklane.test/api/v1/tasks/1\n',
  html: '<p>Plain words &mdash; <a href="https://tasklane.test/api/v1/tasks/1">link</a></p>',
}

describe.each(['smtp', 'outbox'] as const)('%s mailer', (kind) => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>
  let mailer: Mailer
  let dir: string
  /** the raw messages this implementation delivered */
  let delivered: () => string[]
  beforeAll(async () => {
    if (kind === 'smtp') {
      smtp = await startSmtp()
      mailer = smtpMailer(smtp.url, FROM)
      delivered = () => smtp.mails.map((m) => m.raw)
    } else {
      dir = mkdtempSync(join(tmpdir(), 'tasklane-outbox-'))
      mailer = outboxMailer(dir, FROM)
      delivered = () =>
        readdirSync(dir)
          .filter((f) => f.endsWith('.eml'))
          .map((f) => readFileSync(join(dir, f), 'utf8'))
    }
  })
  afterAll(async () => {
    mailer?.close()
    await smtp?.close()
  })

  it('sends one message with text and HTML parts, from MAIL_FROM', async () => {
    const sent = await mailer.send(message)
    expect(sent.messageId).toMatch(/^<.+>$/)
    expect(mailer.kind).toBe(kind)
    const raws = delivered()
    expect(raws).toHaveLength(1)
    const raw = raws[0]!
    expect(raw).toMatch(/^From: Tasklane <no-reply@tasklane\.test>$/m)
    expect(raw).toMatch(/^To: ada@example\.test$/m)
    expect(raw).toContain('multipart/alternative')
    expect(raw).toContain('text/plain')
    expect(raw).toContain('text/html')
    if (kind === 'outbox') {
      expect(sent.file).toMatch(/\.eml$/)
      const summary = JSON.parse(readFileSync(sent.file!.replace(/\.eml$/, '.json'), 'utf8'))
      expect(summary).toMatchObject({ ...message, from: FROM, messageId: sent.messageId })
    }
  })
})

describe('openMailer', () => {
  it('uses SMTP with SMTP_URL and the outbox under DATA_DIR without it', () => {
    const base = { MAIL_FROM: FROM, DATA_DIR: '/tmp/nowhere' }
    expect(openMailer({ ...base, SMTP_URL: 'smtp://127.0.0.1:2525' }).kind).toBe('smtp')
    expect(openMailer(base).kind).toBe('outbox')
  })
})
