import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/app.ts'
import { eventually } from '../../../test/eventually.ts'
import { given } from '../../../test/given.ts'
import { startReceiver } from '../../../test/worker-app.ts'
import { startLogDispatch } from '../../dispatch.ts'
import type { LogDispatcher } from '../activity/log-dispatcher.ts'

/** the assignment emails in the outbox (registration also mails a verification link) */
const assignmentMails = (dir: string, to: string) => {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { to: string; subject: string })
      .filter((m) => m.to === to && m.subject.includes('assigned you')).length
  } catch {
    return 0
  }
}

// the production settings (JOB_* defaults): the app's own queue and the dispatcher, as `serve` runs
// them on the embedded database and a worker on PostgreSQL
describe('background jobs keep up with a busy team', () => {
  let t: TestApp
  let dispatcher: LogDispatcher
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  beforeAll(async () => {
    receiver = await startReceiver()
    t = await createTestApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } })
    await t.app.queue.work()
    dispatcher = await startLogDispatch({ database: t.database, queue: t.app.queue, logger: pino({ level: 'silent' }) })
  })
  afterAll(async () => {
    await dispatcher?.stop()
    await t?.close()
    await receiver?.close()
  })

  it('delivers 40 webhooks and 20 assignment emails within seconds, not one job per poll', {
    timeout: 120_000,
  }, async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const member = await given.member(t.app, team, owner, 'member')
    const project = await given.project(t.app, team, owner)
    for (const path of ['a', 'b']) {
      await given.webhook(t.app, owner, team.id, { url: `${receiver.url}/${path}`, events: ['task.created'] })
    }
    for (let i = 0; i < 20; i++) {
      await given.task(t.app, owner, { projectId: project.id, title: `Busy ${i}`, assigneeId: member.id })
    }
    // one job per 2 s poll (the old queue) needs 80 s for the deliveries and 40 s for the emails;
    // 20 s leaves a loaded machine a wide margin
    const outbox = join(t.config.DATA_DIR, 'outbox')
    const started = Date.now()
    await eventually(() => receiver.received.length >= 40 && assignmentMails(outbox, member.email) >= 20, 20_000)
    const seconds = (Date.now() - started) / 1000
    expect(receiver.received.filter((r) => r.json.type === 'task.created')).toHaveLength(40)
    expect(new Set(receiver.received.map((r) => r.headers['tasklane-delivery'])).size).toBe(40)
    expect(assignmentMails(outbox, member.email)).toBe(20)
    expect(seconds).toBeLessThan(20)
  })
})
