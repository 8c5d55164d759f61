import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { testDatabaseUrl } from '../test/db.ts'
import { createTask, probeReady, registerAccount, runLoad } from '../test/load.ts'
import { hasPostgresBinaries, type PrivatePostgres, startPrivatePostgres } from '../test/private-services.ts'
import { killClis, listening, runCli, terminate, waitForLog } from '../test/spawn.ts'

const CONCURRENCY = 16
// the bound: writes succeed again this soon after the database is back
const RECOVERY_MS = 10_000

const dirs: string[] = []
let cluster: PrivatePostgres | undefined
afterEach(async () => {
  killClis()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  // a case that failed while the database was down leaves it up for the next
  await cluster?.start()
})

/** Records the task ids of the webhook deliveries it receives. */
async function receiver() {
  const taskIds = new Set<string>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      taskIds.add(JSON.parse(Buffer.concat(chunks).toString('utf8')).data.entityId)
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    taskIds,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

async function createDatabase(cluster: PrivatePostgres, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url })
  await admin.connect()
  try {
    await admin.query(`create database ${name}`)
  } finally {
    await admin.end()
  }
  return cluster.url.replace(/\/postgres$/, `/${name}`)
}

// its own cluster (the shared one serves everybody's tests); run with the PostgreSQL suite
describe.skipIf(!testDatabaseUrl() || !hasPostgresBinaries())('when PostgreSQL restarts under load', () => {
  beforeAll(async () => {
    cluster = await startPrivatePostgres()
  }, 120_000)
  afterAll(async () => {
    await cluster?.destroy()
  })

  it.each(['fast', 'immediate'] as const)(
    'after a %s stop, the API and the worker stay up, /ready goes 503 then 200, and writes resume with no 500',
    { timeout: 300_000 },
    async (mode) => {
      const db = cluster!
      const dataDir = mkdtempSync(join(tmpdir(), 'tasklane-restart-'))
      dirs.push(dataDir)
      const env = {
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        DATABASE_URL: await createDatabase(db, `restart_${mode}`),
        JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
        LOG_LEVEL: 'info',
        RATE_LIMIT_ENABLED: 'false',
        WEBHOOK_ALLOW_PRIVATE: 'true',
        HOST: '127.0.0.1',
        PORT: '0',
      }
      const api = runCli(['serve'], env)
      const base = await listening(api)
      // started once the API has migrated the schema
      const worker = runCli(['worker'], { ...env, MIGRATE_ON_START: 'false' })
      await waitForLog(worker, (l) => l.msg === 'worker running')
      const account = await registerAccount(base, 'restart')

      const ready = probeReady(base)
      const load = runLoad(CONCURRENCY, () => createTask(base, account.token))
      const created = () => load.outcomes.filter((o) => o.status === 201)
      await vi.waitFor(() => expect(created().length).toBeGreaterThanOrEqual(20), { timeout: 60_000 })

      await db.stop(mode)
      const downAt = Date.now()
      await vi.waitFor(
        () => {
          expect(ready.seen.some((r) => r.at > downAt && r.status === 503)).toBe(true)
          expect(load.outcomes.some((o) => o.startedAt > downAt && o.status === 503)).toBe(true)
        },
        { timeout: 60_000 },
      )
      await db.start()
      const upAt = Date.now()
      await vi.waitFor(
        () => {
          expect(created().some((o) => o.startedAt >= upAt)).toBe(true)
          expect(ready.seen.some((r) => r.at >= upAt && r.status === 200)).toBe(true)
        },
        { timeout: 60_000 },
      )
      await load.stop()
      ready.stop()

      expect(api.child.exitCode).toBeNull()
      expect(worker.child.exitCode).toBeNull()
      const statuses = new Set(load.outcomes.map((o) => o.status))
      // every request got a real answer: created, or 503 while the database was away
      expect([...statuses].sort()).toEqual([201, 503])
      for (const o of load.outcomes.filter((x) => x.status === 503)) {
        expect(o.problemJson).toBe(true)
        expect(Number(o.retryAfter)).toBeGreaterThan(0)
      }
      const firstWrite = Math.min(
        ...created()
          .filter((o) => o.startedAt >= upAt)
          .map((o) => o.endedAt),
      )
      expect(firstWrite - upAt).toBeLessThan(RECOVERY_MS)
      const readyAfterDown = ready.seen.filter((r) => r.at > downAt).map((r) => r.status)
      expect(readyAfterDown.indexOf(503)).toBeLessThan(readyAfterDown.lastIndexOf(200))
      expect(readyAfterDown.at(-1)).toBe(200)
      expect(new Set(readyAfterDown)).toEqual(new Set([503, 200]))

      // the worker's log follower and job queue work again: a change made now is delivered
      const hooks = await receiver()
      try {
        const auth = { authorization: `Bearer ${account.token}`, 'content-type': 'application/json' }
        const teams = (await (await fetch(`${base}/api/v1/teams`, { headers: auth })).json()) as {
          items: { id: string }[]
        }
        const hook = await fetch(`${base}/api/v1/teams/${teams.items[0]!.id}/webhooks`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ url: hooks.url, events: ['task.created'] }),
        })
        expect(hook.status).toBe(201)
        const after = await createTask(base, account.token)
        expect(after.status).toBe(201)
        await vi.waitFor(() => expect(hooks.taskIds.has(after.taskId!)).toBe(true), { timeout: 120_000 })
      } finally {
        await hooks.close()
      }

      // nothing escaped to the process-level handler (which would survive a lost connection, but say so)
      const escaped = /fatal|not handled where it happened/
      for (const cli of [api, worker]) expect(cli.logs.filter((l) => escaped.test(String(l.msg)))).toEqual([])
      // and both still stop cleanly: no connection was leaked from a pool (it would hold pool.end())
      expect(await terminate(api)).toBe(0)
      expect(await terminate(worker)).toBe(0)
    },
  )
})
