import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase } from '../../../test/db.ts'
import { eventually } from '../../../test/eventually.ts'
import { given } from '../../../test/given.ts'
import { createWorkerApp, startReceiver, type WorkerTestApp } from '../../../test/worker-app.ts'
import type { Database } from '../../db/client.ts'

describe('two workers on one database', () => {
  let database: Database
  let a: WorkerTestApp
  let b: WorkerTestApp
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  beforeAll(async () => {
    database = await freshDatabase()
    receiver = await startReceiver()
    // no SMTP_URL: emails go to each worker's outbox
    a = await createWorkerApp({ database })
    b = await createWorkerApp({ database })
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await database?.close()
    await receiver?.close()
  })

  it('make each delivery exactly once, and one email per assignment', { timeout: 120_000 }, async () => {
    const owner = await given.user(a.app)
    const team = await given.team(a.app, owner)
    const member = await given.member(a.app, team, owner, 'member')
    const project = await given.project(a.app, team, owner)
    const hook1 = await given.webhook(a.app, owner, team.id, { url: receiver.url })
    const hook2 = await given.webhook(b.app, owner, team.id, {
      url: `${receiver.url}?second`,
      events: ['task.created'],
    })
    const tasks = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        given.task(i % 2 ? a.app : b.app, owner, { projectId: project.id, title: `T${i}`, assigneeId: member.id }),
      ),
    )
    const expected = 2 * tasks.length
    await eventually(() => receiver.received.length >= expected, 30_000)
    await new Promise((r) => setTimeout(r, 2000))
    const created = receiver.received.filter((r) => r.json.type === 'task.created')
    expect(created).toHaveLength(expected)
    expect(new Set(receiver.received.map((r) => r.headers['tasklane-delivery'])).size).toBe(receiver.received.length)
    for (const task of tasks) {
      expect(created.filter((r) => r.json.data.entityId === task.id)).toHaveLength(2)
    }
    for (const hook of [hook1, hook2]) {
      const res = await a.app.inject({
        method: 'GET',
        url: `/api/v1/webhooks/${hook.id}/deliveries?limit=100`,
        headers: owner.auth,
      })
      const items = res.json().items.filter((d: { type: string }) => d.type === 'task.created')
      expect(items).toHaveLength(tasks.length)
      expect(items.every((d: { attempts: unknown[] }) => d.attempts.length === 1)).toBe(true)
    }

    // the outbox: one .eml and one .json per assignment, across both workers
    const outboxes = [a, b].map((w) => join(w.config.DATA_DIR, 'outbox'))
    const files = await eventually(() => {
      const all = outboxes.flatMap((dir) => {
        try {
          return readdirSync(dir).map((f) => join(dir, f))
        } catch {
          return []
        }
      })
      return all.filter((f) => f.endsWith('.json')).length >= tasks.length && all
    })
    await new Promise((r) => setTimeout(r, 1000))
    const summaries = files.filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(f, 'utf8')))
    expect(summaries).toHaveLength(tasks.length)
    expect(files.filter((f) => f.endsWith('.eml'))).toHaveLength(tasks.length)
    expect(summaries.every((m) => m.to === member.email && m.subject.includes('assigned you'))).toBe(true)
    expect([...a.logs(), ...b.logs()].filter((l) => String(l.msg).includes('kept in the outbox'))).toHaveLength(
      tasks.length,
    )
  })
})
