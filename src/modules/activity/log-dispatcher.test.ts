import { randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { eventually } from '../../../test/eventually.ts'
import { given } from '../../../test/given.ts'
import type { Db } from '../../db/client.ts'
import type { ActivityRow } from '../../db/tables/activity.ts'
import { createLogger } from '../../logger.ts'
import { createLogDispatcher, type LogDispatcher } from './log-dispatcher.ts'

describe('log dispatcher: a consumer failing on one entry', { timeout: 90_000 }, () => {
  const t = useTestApp()
  const cursor = `test-${randomBytes(4).toString('hex')}`
  const lines: Record<string, unknown>[] = []
  let dispatcher: LogDispatcher | undefined
  beforeAll(async () => {
    // what a consumer hands on, written in the dispatcher's transaction: rolled-back attempts leave nothing
    await t.database.sql.exec('create table dispatch_seen (consumer text not null, activity_id bigint not null)')
  })
  afterAll(async () => {
    await dispatcher?.stop()
  })

  const recording =
    (consumer: string, fails: (e: ActivityRow) => boolean) => async (tx: Db, entries: ActivityRow[]) => {
      for (const e of entries) {
        if (fails(e)) throw new Error(`${consumer} cannot take ${e.entityId}`)
        await tx.execute(sql`insert into dispatch_seen values (${consumer}, ${e.id})`)
      }
    }
  const seen = async (consumer: string, entityId: string) => {
    const { rows } = await t.database.sql.query<{ n: number }>(
      `select count(*)::int as n from dispatch_seen s join activity a on a.id = s.activity_id
       where s.consumer = $1 and a.entity_id = $2 and a.action = 'task.created'`,
      [consumer, entityId],
    )
    return rows[0]!.n
  }
  const failure = async (entityId: string) => {
    const { rows } = await t.database.sql.query<{ attempts: number; last_error: string; set_aside_at: Date | null }>(
      `select f.attempts, f.last_error, f.set_aside_at from log_dispatch_failures f
       join activity a on a.id = f.activity_id
       where f.cursor = $1 and a.entity_id = $2 and a.action = 'task.created'`,
      [cursor, entityId],
    )
    return rows[0]
  }

  it('retries it with backoff, sets it aside (recorded, logged once, on /metrics) and hands on every later entry', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const project = await given.project(t.app, team, owner)
    const task = (title: string) => given.task(t.app, owner, { projectId: project.id, title })
    const first = await task('before')
    const poison = await task('poison')
    const flaky = await task('flaky')
    const second = await task('after')
    let flakyBroken = true

    const log = createLogger(t.config, { write: (line: string) => lines.push(JSON.parse(line)) })
    dispatcher = createLogDispatcher({
      database: t.database,
      log,
      name: cursor,
      pollMs: 50,
      retry: { attempts: 3, baseDelayMs: 20 },
      consumers: [
        { name: 'steady', consume: recording('steady', () => false) },
        {
          name: 'picky',
          consume: recording('picky', (e) => e.entityId === poison.id || (flakyBroken && e.entityId === flaky.id)),
        },
      ],
    })
    await dispatcher.start()

    // the entry after the failing ones is handed on without waiting for their retries
    await eventually(async () => (await seen('picky', second.id)) === 1)
    await eventually(async () => (await failure(flaky.id))?.attempts)
    flakyBroken = false
    await eventually(async () => (await failure(flaky.id)) === undefined)
    await eventually(async () => (await failure(poison.id))?.set_aside_at)
    const later = await task('later still')
    await eventually(async () => (await seen('picky', later.id)) === 1)

    for (const each of [first, poison, flaky, second, later]) expect(await seen('steady', each.id)).toBe(1)
    for (const each of [first, flaky, second, later]) expect(await seen('picky', each.id)).toBe(1)
    expect(await seen('picky', poison.id)).toBe(0)
    const aside = await failure(poison.id)
    expect(aside).toMatchObject({ attempts: 3, last_error: `picky cannot take ${poison.id}` })

    const asideLogs = lines.filter((l) => String(l.msg).startsWith('log entry set aside'))
    expect(asideLogs).toHaveLength(1)
    expect(asideLogs[0]).toMatchObject({ cursor, consumer: 'picky', action: 'task.created', attempts: 3 })

    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' })
    expect(metrics.body).toContain(
      `tasklane_log_dispatch_failed_entries{cursor="${cursor}",consumer="picky",state="set_aside"} 1`,
    )
    expect(metrics.body).not.toContain(
      `tasklane_log_dispatch_failed_entries{cursor="${cursor}",consumer="picky",state="retrying"}`,
    )
  })
})
