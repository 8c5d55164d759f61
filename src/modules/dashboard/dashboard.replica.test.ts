import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/app.ts'
import { getDashboard } from '../../../test/dashboard.ts'
import { freshDatabase, freshDatabaseUrl, testDatabaseUrl } from '../../../test/db.ts'
import { given, type TaskWorld } from '../../../test/given.ts'
import type { Database } from '../../db/client.ts'

/*
 * No streaming replica runs here, so these stand in for one: the primary's own database (always
 * caught up), a database that receives the primary's rows only when the test copies them (a replica
 * that lags until then), and a closed port (a replica that is down).
 */

/** Replaces every table of `url` with the primary's rows: the lagging replica catches up. */
async function catchUp(primary: Database, url: string) {
  const { rows: tables } = await primary.sql.query<{ name: string; columns: string }>(
    `select table_name as name, string_agg(quote_ident(column_name), ', ' order by ordinal_position) as columns
     from information_schema.columns
     where table_schema = 'public' and is_generated = 'NEVER'
       and table_name in (select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE')
     group by table_name`,
  )
  const replica = new pg.Client({ connectionString: url })
  await replica.connect()
  try {
    await replica.query('begin')
    // a replica applies rows as they are: no triggers (counters come copied), no key checks
    await replica.query('set local session_replication_role = replica')
    await replica.query(`truncate ${tables.map((t) => `"${t.name}"`).join(', ')}`)
    for (const t of tables) {
      const { rows } = await primary.sql.query<{ rows: string }>(
        `select coalesce(json_agg(t), '[]')::text as rows from "${t.name}" t`,
      )
      await replica.query(
        `insert into "${t.name}" (${t.columns}) overriding system value
         select ${t.columns} from json_populate_recordset(null::"${t.name}", $1::json)`,
        [rows[0]!.rows],
      )
    }
    await replica.query('commit')
  } finally {
    await replica.end()
  }
}

async function metricsText(t: TestApp) {
  return (await t.app.inject({ method: 'GET', url: '/metrics' })).body
}
const metric = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line ? Number(line.split(' ')[1]) : 0
}

/** An app on a fresh primary, with the replica `replicaUrl(primary)` names. */
async function appWithReplica(replicaUrl: (primary: Database) => string | Promise<string>) {
  const database = await freshDatabase()
  const t = await createTestApp({
    database,
    env: { DATABASE_URL: database.url!, DATABASE_REPLICA_URL: await replicaUrl(database) },
  })
  return {
    t,
    close: async () => {
      await t.close()
      await database.close()
    },
  }
}

describe.skipIf(!testDatabaseUrl())('dashboard reads with DATABASE_REPLICA_URL', () => {
  describe('on a replica that is always caught up (the primary itself)', () => {
    let t: TestApp
    let close: () => Promise<void>
    beforeAll(async () => {
      ;({ t, close } = await appWithReplica((primary) => primary.url!))
    })
    afterAll(() => close())

    it('reads metrics, leaderboard and explorer there, after the access check on the primary', async () => {
      const w = await given.taskWorld(t.app)
      await given.task(t.app, w.member, { projectId: w.project.id, status: 'done' })
      const before = { ...t.app.reads.stats }
      const m = await getDashboard<{ byStatus: Record<string, number> }>(t.app, w.viewer, 'metrics', {
        teamId: w.team.id,
      })
      expect(m.byStatus).toMatchObject({ done: 1 })
      await getDashboard(t.app, w.viewer, 'leaderboard', { teamId: w.team.id })
      await getDashboard(t.app, w.viewer, 'explorer', { teamId: w.team.id, groupBy: 'status' })
      expect(t.app.reads.stats.replica - before.replica).toBe(3)
      expect(t.app.reads.stats.behind).toBe(before.behind)
      const text = await metricsText(t)
      expect(metric(text, 'tasklane_db_replica_reads_total{result="replica"}')).toBeGreaterThanOrEqual(3)
      expect(metric(text, 'tasklane_db_replica_pool_connections{state="total"}')).toBeGreaterThan(0)
      // no access through the replica: an outsider is still a 404
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/dashboard/explorer?teamId=${w.team.id}&groupBy=status`,
        headers: w.outsider.auth,
      })
      expect(res.statusCode).toBe(404)
    })

    it('reports the replica in /ready', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/ready' })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({ status: 'ok', checks: { database: 'ok', replica: 'ok' } })
    })
  })

  describe('on a replica that lags', () => {
    let t: TestApp
    let close: () => Promise<void>
    let replicaUrl: string
    let w: TaskWorld
    beforeAll(async () => {
      replicaUrl = await freshDatabaseUrl()
      ;({ t, close } = await appWithReplica(() => replicaUrl))
      w = await given.taskWorld(t.app)
      await given.task(t.app, w.member, { projectId: w.project.id })
      await catchUp(t.database, replicaUrl)
    })
    afterAll(() => close())

    const metrics = (projectId?: string) =>
      getDashboard<{ byStatus: Record<string, number> }>(t.app, w.member, 'metrics', {
        teamId: w.team.id,
        projectId,
      })
    const explorer = () =>
      getDashboard<{ items: { key: string; count: number }[] }>(t.app, w.member, 'explorer', {
        teamId: w.team.id,
        groupBy: 'status',
      })
    const todo = (e: { items: { key: string; count: number }[] }) => e.items.find((i) => i.key === 'todo')?.count

    it('answers with the caller’s latest write from the primary until the replica has it, then from the replica', async () => {
      expect((await metrics()).byStatus.todo).toBe(1)
      expect(t.app.reads.stats).toMatchObject({ replica: 1, behind: 0 })

      // the caller writes; the replica does not have it yet
      await given.task(t.app, w.member, { projectId: w.project.id })
      expect((await metrics()).byStatus.todo).toBe(2)
      expect(todo(await explorer())).toBe(2)
      expect(t.app.reads.stats).toMatchObject({ replica: 1, behind: 2 })

      await catchUp(t.database, replicaUrl)
      expect(todo(await explorer())).toBe(2)
      expect((await metrics(w.project.id)).byStatus.todo).toBe(2)
      expect(t.app.reads.stats).toMatchObject({ replica: 3, behind: 2 })

      // and what the replica alone holds shows through: the read did happen there
      const replica = new pg.Client({ connectionString: replicaUrl })
      await replica.connect()
      try {
        await replica.query(
          // one of the key's slots (a key's count is the sum of them)
          `update task_counters set count = count + 40 where ctid = (select ctid from task_counters
             where team_id = $1 and dim = 'status' and key = 'todo' limit 1)`,
          [w.team.id],
        )
      } finally {
        await replica.end()
      }
      expect(todo(await explorer())).toBe(42)
    })
  })

  describe('on a replica that is down', () => {
    let t: TestApp
    let close: () => Promise<void>
    beforeAll(async () => {
      ;({ t, close } = await appWithReplica(() => 'postgres://postgres@127.0.0.1:9/none'))
    })
    afterAll(() => close())

    it('still answers from the primary, with a warning and a metric', async () => {
      const w = await given.taskWorld(t.app)
      await given.task(t.app, w.member, { projectId: w.project.id })
      const m = await getDashboard<{ byStatus: Record<string, number> }>(t.app, w.member, 'metrics', {
        teamId: w.team.id,
      })
      expect(m.byStatus.todo).toBe(1)
      // resting after the failure: the next read does not wait on it again
      await getDashboard(t.app, w.member, 'explorer', { teamId: w.team.id, groupBy: 'status' })
      const warning = t.logs.find((l) => l.msg === 'read replica failed: reading from the primary')
      expect(warning).toMatchObject({ level: 'warn', teamId: w.team.id })
      const text = await metricsText(t)
      expect(metric(text, 'tasklane_db_replica_reads_total{result="error"}')).toBe(1)
      expect(metric(text, 'tasklane_db_replica_reads_total{result="down"}')).toBe(1)
      expect(metric(text, 'tasklane_db_replica_reads_total{result="replica"}')).toBe(0)
    })

    it('reports the replica degraded in /ready, with 200', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/ready' })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({ status: 'degraded', checks: { database: 'ok', replica: 'degraded' } })
    })
  })
})
