import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp, testConfig } from '../test/app.ts'
import { freshDatabaseUrl, testDatabaseUrl } from '../test/db.ts'
import { eventually } from '../test/eventually.ts'
import { pngBytes, sendFile, storedKeys } from '../test/files-app.ts'
import { type GivenUser, given } from '../test/given.ts'
import { bearer } from '../test/http.ts'
import { startReceiver, verifySignature } from '../test/worker-app.ts'
import { openDb } from './db/client.ts'
import { startLogDispatch } from './dispatch.ts'
import { localStorage } from './infra/storage-local.ts'
import { createLogger } from './logger.ts'
import { startWorker } from './worker.ts'

/*
 * A scripted day of a team, then every outward trace checked against what the script did: webhook
 * deliveries, emails, the change feed, ETags, the dashboard and the stored files. On PostgreSQL +
 * Redis it runs in the production layout (two API instances and a worker process's job runner on one
 * database, Redis and file store); otherwise on one embedded server that runs the jobs itself.
 */

interface Day {
  /** the instances requests alternate between */
  a: FastifyInstance
  b: FastifyInstance
  storageDir: string
  outboxDir: string
  close(): Promise<void>
}

const silent = createLogger({ LOG_LEVEL: 'silent' })

async function startDay(): Promise<Day> {
  const storageDir = mkdtempSync(join(tmpdir(), 'tasklane-day-files-'))
  // the day's accounts get their verification links, like a server's default (the tests' default is off)
  const env = { STORAGE_DIR: storageDir, WEBHOOK_ALLOW_PRIVATE: 'true', EMAIL_VERIFICATION: 'optional' }
  const redisUrl = process.env.TEST_REDIS_URL
  if (testDatabaseUrl() && redisUrl) {
    const url = await freshDatabaseUrl()
    const redisPrefix = `test:${randomBytes(6).toString('hex')}:`
    const databases = [await openDb({ url, poolSize: 5 }), await openDb({ url, poolSize: 5 })]
    const [a, b] = await Promise.all(databases.map((database) => createTestApp({ database, redisPrefix, env })))
    const config = testConfig({ ...env, DATABASE_URL: url, MIGRATE_ON_START: 'false' })
    const worker = await startWorker(config, silent)
    return {
      a: a!.app,
      b: b!.app,
      storageDir,
      outboxDir: join(config.DATA_DIR, 'outbox'),
      close: async () => {
        await worker.close()
        for (const t of [a!, b!]) await t.close()
        for (const d of databases) await d.close()
      },
    }
  }
  // `serve` on the embedded database: the one process runs the jobs and the log dispatcher
  const t: TestApp = await createTestApp({ env })
  await t.app.queue.work()
  const dispatcher = await startLogDispatch({ database: t.database, queue: t.app.queue, logger: silent })
  return {
    a: t.app,
    b: t.app,
    storageDir,
    outboxDir: join(t.config.DATA_DIR, 'outbox'),
    close: async () => {
      await dispatcher.stop()
      await t.close()
    },
  }
}

type Auth = { auth: Record<string, string> }
const send = async (
  app: FastifyInstance,
  by: Auth,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
  expected = method === 'POST' ? 201 : method === 'DELETE' ? 204 : 200,
) => {
  const res = await app.inject({ method, url: `/api/v1${url}`, headers: by.auth, payload })
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(expected)
  return res
}
const json = async (...args: Parameters<typeof send>) => (await send(...args)).json()

interface Entry {
  id: string
  action: string
  entityType: string
  entityId: string
  teamId: string | null
}

/** Every entry of the change feed `by` can read, from the start. */
async function changes(app: FastifyInstance, by: Auth, query = ''): Promise<Entry[]> {
  const all: Entry[] = []
  let cursor: string | null = '0'
  while (cursor !== null) {
    const page: { items: Entry[]; nextCursor: string | null } = await json(
      app,
      by,
      'GET',
      `/changes?cursor=${cursor}&limit=100${query}`,
    )
    all.push(...page.items)
    cursor = page.items.length ? page.nextCursor : null
  }
  return all
}

/** The emails written to the outbox: recipient and subject. */
const outbox = (dir: string) => {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { to: string; subject: string })
      .map((m) => `${m.to} ${m.subject}`)
      .sort()
  } catch {
    return []
  }
}

describe('a day in the life of a team', () => {
  let day: Day
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  beforeAll(async () => {
    receiver = await startReceiver()
    day = await startDay()
  }, 120_000)
  afterAll(async () => {
    await day?.close()
    await receiver?.close()
  })

  it('leaves exactly the traces it should', { timeout: 120_000 }, async () => {
    const { a, b } = day
    const mailed = (to: GivenUser, subject: string) =>
      eventually(() => outbox(day.outboxDir).includes(`${to.email} ${subject}`), 30_000)

    // morning: the team gathers
    const olga = await given.user(a, { name: 'Olga Owner' })
    const bea = await given.user(b, { name: 'Bea' })
    const cem = await given.user(a, { name: 'Cem' })
    const dora = await given.user(b, { name: 'Dora' })
    const team = await given.team(a, olga, { name: 'Launch crew' })
    const hook = await given.webhook(a, olga, team.id, { url: receiver.url })
    await given.membership(b, team, olga, bea, 'member')
    await given.membership(a, team, olga, cem, 'member')
    const robot = { auth: bearer(await given.token(a, olga, ['tasks:read', 'tasks:write'])) }
    const launch = await given.project(a, team, olga, { name: 'Launch' })
    const backlog = await given.project(b, team, olga, { name: 'Backlog' })

    // tasks created, assigned, commented, attached (a token creates one)
    const post = await json(b, robot, 'POST', '/tasks', {
      projectId: launch.id,
      title: 'Write the launch post',
      assigneeId: bea.id,
    })
    const numbers = await json(a, olga, 'POST', '/tasks', {
      projectId: launch.id,
      title: 'Check the numbers',
      assigneeId: cem.id,
    })
    const party = await json(b, bea, 'POST', '/tasks', { projectId: launch.id, title: 'Plan the party' })
    const partyRes = await send(a, bea, 'GET', `/tasks/${party.id}`)
    const cake = await json(b, bea, 'POST', '/tasks', { projectId: launch.id, parentId: party.id, title: 'Order cake' })
    await json(a, bea, 'POST', `/tasks/${post.id}/comments`, { body: 'Draft is in the doc' })
    await json(b, cem, 'POST', `/tasks/${numbers.id}/comments`, { body: 'Numbers look fine' })
    const files = [] as string[]
    for (const [task, by] of [
      [post, bea],
      [numbers, cem],
      [cake, bea],
    ] as const) {
      const res = await sendFile(a, by, `/api/v1/tasks/${task.id}/attachments`, 'photo.png', pngBytes())
      expect(res.statusCode, res.body).toBe(201)
      files.push(res.json().id)
    }

    // the parent's ETag follows its subtask count: the old one no longer answers 304
    const stale = String(partyRes.headers.etag)
    const fresh = await b.inject({
      method: 'GET',
      url: `/api/v1/tasks/${party.id}`,
      headers: { ...bea.auth, 'if-none-match': stale },
    })
    expect(fresh.statusCode).toBe(200)
    expect(fresh.json().subtaskCount).toBe(1)
    expect(fresh.headers.etag).not.toBe(stale)
    const same = await a.inject({
      method: 'GET',
      url: `/api/v1/tasks/${party.id}`,
      headers: { ...bea.auth, 'if-none-match': String(fresh.headers.etag) },
    })
    expect(same.statusCode).toBe(304)

    // a tag on the post, renamed later: the post's ETag follows its tag's name as well
    const tag = await json(a, olga, 'POST', '/tags', { teamId: team.id, name: 'Launch', color: '#3366ff' })
    await send(b, olga, 'PATCH', `/tasks/${post.id}`, { tagIds: [tag.id] })
    const tagged = String((await send(a, bea, 'GET', `/tasks/${post.id}`)).headers.etag)
    await send(b, olga, 'PATCH', `/tags/${tag.id}`, { name: 'Launch day' })
    const renamed = await b.inject({
      method: 'GET',
      url: `/api/v1/tasks/${post.id}`,
      headers: { ...bea.auth, 'if-none-match': tagged },
    })
    expect(renamed.statusCode).toBe(200)
    expect(renamed.json().tags).toEqual([{ id: tag.id, name: 'Launch day', color: '#3366ff' }])
    expect(renamed.headers.etag).not.toBe(tagged)

    // a recurring chore, a reminder, a move
    const water = await json(a, olga, 'POST', '/tasks', {
      projectId: backlog.id,
      title: 'Water the plants',
      recurrence: 'FREQ=DAILY',
      dueAt: new Date(Date.now() + 3_600_000).toISOString(),
    })
    await send(b, olga, 'PATCH', `/tasks/${water.id}/status`, { status: 'done' })
    await json(a, olga, 'POST', '/tasks', {
      projectId: backlog.id,
      title: 'Call the venue',
      assigneeId: bea.id,
      remindAt: new Date(Date.now() + 1_500).toISOString(),
    })
    const before = await send(b, bea, 'GET', `/tasks/${post.id}`)
    await send(a, bea, 'PATCH', `/tasks/${post.id}`, { projectId: backlog.id })
    // a write on what the client saw before the move is refused, and writes nothing
    const late = await b.inject({
      method: 'PATCH',
      url: `/api/v1/tasks/${post.id}`,
      headers: { ...olga.auth, 'if-match': String(before.headers.etag) },
      payload: { title: 'Stale edit' },
    })
    expect(late.statusCode).toBe(412)
    expect((await json(a, olga, 'GET', `/tasks/${post.id}`)).title).toBe('Write the launch post')

    // Cem leaves once his assignment reached him, and no longer sees the team's work
    await mailed(cem, 'Olga Owner assigned you: Check the numbers')
    await send(b, cem, 'DELETE', `/teams/${team.id}/members/${cem.id}`)
    await send(a, cem, 'GET', `/tasks/${numbers.id}`, undefined, 404)

    // afternoon: the backlog is archived (the chore's next occurrence is completed there, no third
    // one follows), the party and the launch project are deleted
    const [nextWater] = (
      await json(a, olga, 'GET', `/tasks?projectId=${backlog.id}&status=todo,in_progress&limit=100`)
    ).items.filter((t: { title: string }) => t.title === 'Water the plants')
    expect(nextWater).toBeTruthy()
    await send(a, olga, 'PATCH', `/projects/${backlog.id}`, { archived: true })
    await send(b, olga, 'PATCH', `/tasks/${nextWater.id}/status`, { status: 'done' })
    await send(a, bea, 'DELETE', `/tasks/${party.id}`)
    await send(b, olga, 'DELETE', `/projects/${launch.id}`)

    // a second team Dora works in is deleted at the end of the day
    const side = await given.team(b, olga, { name: 'Side project' })
    await given.membership(a, side, olga, dora, 'member')
    const sideProject = await given.project(a, side, olga, { name: 'Stall' })
    const sideTask = await json(b, dora, 'POST', '/tasks', { projectId: sideProject.id, title: 'Paint the sign' })
    const sideFile = await sendFile(b, dora, `/api/v1/tasks/${sideTask.id}/attachments`, 'sign.png', pngBytes())
    expect(sideFile.statusCode, sideFile.body).toBe(201)
    await send(a, olga, 'DELETE', `/teams/${side.id}`)

    // evening: the checks. Emails: one verification link per account, the three assignments and the reminder
    const expectedMail = [
      ...[olga, bea, cem, dora].map((u) => `${u.email} Verify your Tasklane email address`),
      `${bea.email} Olga Owner assigned you: Write the launch post`,
      `${cem.email} Olga Owner assigned you: Check the numbers`,
      `${bea.email} Olga Owner assigned you: Call the venue`,
      `${bea.email} Reminder: Call the venue`,
    ].sort()
    await eventually(() => outbox(day.outboxDir).length >= expectedMail.length, 30_000)

    // the change feed: every removed task has its task.deleted, the launch project its project.deleted
    const feed = await changes(a, olga, `&teamId=${team.id}`)
    const deleted = (type: string) =>
      feed
        .filter((e) => e.action === type)
        .map((e) => e.entityId)
        .sort()
    expect(deleted('task.deleted')).toEqual([party.id, cake.id, numbers.id].sort())
    expect(deleted('project.deleted')).toEqual([launch.id])
    // Dora learns that her team and its work are gone
    const doras = await changes(b, dora)
    expect(doras.filter((e) => e.teamId === side.id && e.action.endsWith('.deleted')).map((e) => e.action)).toEqual(
      expect.arrayContaining(['team.deleted', 'project.deleted', 'task.deleted']),
    )

    // webhooks: exactly one delivery per entry of the team since the hook was made, nothing else
    const since = Number(feed.find((e) => e.action === 'webhook.created' && e.entityId === hook.id)!.id)
    const expectedIds = feed.filter((e) => Number(e.id) >= since).map((e) => Number(e.id))
    await eventually(() => receiver.received.length >= expectedIds.length, 30_000)
    // what might still be in flight has had its time to arrive
    await new Promise((r) => setTimeout(r, 1_500))
    const receivedIds = receiver.received.map((r) => Number(r.json.data.id))
    expect([...receivedIds].sort((x, y) => x - y)).toEqual(expectedIds)
    expect(new Set(receiver.received.map((r) => r.headers['tasklane-delivery'])).size).toBe(receivedIds.length)
    for (const r of receiver.received) {
      expect(verifySignature(hook.secret, String(r.headers['tasklane-signature']), r.body)).toBe(true)
    }

    expect(outbox(day.outboxDir)).toEqual(expectedMail)

    // the dashboard counts what is left, the same through either instance: the post (tagged) and the
    // call open and Bea's, the chore done twice by Olga, on time (it was due in an hour, then tomorrow);
    // nothing of the deleted project, the deleted party or the deleted team
    for (const app of [a, b]) {
      const metrics = await json(app, olga, 'GET', `/dashboard/metrics?teamId=${team.id}`)
      expect(metrics).toMatchObject({
        byStatus: { todo: 2, in_progress: 0, done: 2, cancelled: 0 },
        byPriority: { low: 0, medium: 4, high: 0, urgent: 0 },
        overdue: 0,
        dueSoon: 0,
        createdInRange: 4,
        completedInRange: 2,
        completionRate: 0.5,
      })
      expect(metrics.medianCycleTimeHours).toBeGreaterThanOrEqual(0)
      expect(metrics.medianCycleTimeHours).toBeLessThan(1)
      const weeks = metrics.weeklyThroughput as { created: number; completed: number }[]
      expect([weeks.reduce((n, w) => n + w.created, 0), weeks.reduce((n, w) => n + w.completed, 0)]).toEqual([4, 2])
      expect((await json(app, bea, 'GET', `/dashboard/leaderboard?teamId=${team.id}`)).items).toEqual([
        { user: { id: olga.id, name: 'Olga Owner' }, completed: 2, completedOnTime: 2 },
      ])
      const explore = async (groupBy: string) =>
        (await json(app, bea, 'GET', `/dashboard/explorer?teamId=${team.id}&groupBy=${groupBy}`)).items
      expect(await explore('assignee')).toEqual([
        { key: bea.id, label: 'Bea', count: 2 },
        { key: null, label: 'Unassigned', count: 2 },
      ])
      expect(await explore('project')).toEqual([{ key: backlog.id, label: 'Backlog', count: 4 }])
      expect(await explore('tag')).toEqual([
        { key: null, label: 'No tag', count: 3 },
        { key: tag.id, label: 'Launch day', count: 1 },
      ])
      await send(app, olga, 'GET', `/dashboard/metrics?teamId=${side.id}`, undefined, 404)
    }

    // stored files: only the attachment of the surviving post (the others went with their tasks,
    // their project and their team); one object per attachment row, none without
    const left: { id: string }[] = (await json(a, bea, 'GET', `/tasks/${post.id}/attachments`)).items
    expect(left.map((f) => f.id)).toEqual([files[0]])
    const { rows } = await a.database.sql.query<{ key: string }>('select storage_key as key from attachments')
    expect(rows).toHaveLength(1)
    const storage = localStorage(day.storageDir)
    await eventually(async () => (await storedKeys(storage)).length === 1, 30_000)
    expect(await storedKeys(storage)).toEqual([rows[0]!.key])
    await storage.close()
  })
})
