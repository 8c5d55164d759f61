import { rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { given } from '../../../test/given.ts'
import { workerEnv } from '../../../test/jobs.ts'
import { type Cli, killClis, runCli } from '../../../test/spawn.ts'
import { buildApp } from '../../app.ts'
import { loadConfig } from '../../config.ts'
import { migrateUp } from '../../db/migrate.ts'
import { openDeps } from '../../deps.ts'
import { createLogger } from '../../logger.ts'
import { DELIVER_JOB } from './webhooks.deliver.ts'

const TASKS = 16
/** deliveries one worker makes at once */
const IN_FLIGHT = 3

const dirs: string[] = []
afterEach(() => {
  killClis()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** The webhook delivery jobs a worker completed, from its log. */
const delivered = (worker: Cli) => worker.logs.filter((l) => l.msg === 'job completed' && l.job === DELIVER_JOB).length

/** A slow receiver that dedupes by Tasklane-Delivery, as docs/webhooks.md tells receivers to. */
async function slowReceiver() {
  const raw: { delivery: string; taskId: string }[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      raw.push({ delivery: String(req.headers['tasklane-delivery']), taskId: body.data.entityId })
      setTimeout(() => res.writeHead(204).end(), 250)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    raw,
    deduped: () => new Map(raw.map((r) => [r.delivery, r.taskId])),
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

describe('webhook worker killed while deliveries are pending', () => {
  it('delivers every event exactly once per webhook after a restart', { timeout: 240_000 }, async () => {
    const { env, open } = await workerEnv(
      {
        WEBHOOK_ALLOW_PRIVATE: 'true',
        // a few deliveries in flight at the kill, most still queued
        JOB_QUEUE_CONCURRENCY: `${DELIVER_JOB}=${IN_FLIGHT}`,
      },
      dirs,
    )
    const receiver = await slowReceiver()
    try {
      // the changes are made through an API instance that runs no jobs: the log holds them all
      const database = await open()
      await migrateUp(database)
      const app = await buildApp(
        await openDeps({ config: loadConfig(env), database, logger: createLogger({ LOG_LEVEL: 'silent' }) }),
      )
      await app.ready()
      const owner = await given.user(app)
      const team = await given.team(app, owner)
      const project = await given.project(app, team, owner)
      const hook = await given.webhook(app, owner, team.id, { url: receiver.url, events: ['task.created'] })
      const tasks = []
      for (let i = 0; i < TASKS; i++)
        tasks.push(await given.task(app, owner, { projectId: project.id, title: `T${i}` }))
      await app.close()
      await database.close()

      // the first worker dies hard with most deliveries still to make
      const first = runCli(['worker'], env)
      await vi.waitFor(
        () => {
          if (first.child.exitCode !== null) throw new Error(`worker exited: ${first.stderr()}`)
          if (receiver.raw.length < 3) throw new Error('not yet')
        },
        { timeout: 90_000, interval: 20 },
      )
      first.child.kill('SIGKILL')
      await first.exited
      const beforeRestart = receiver.deduped().size
      expect(beforeRestart).toBeLessThan(TASKS)

      const second = runCli(['worker'], env)
      await vi.waitFor(
        () => {
          if (second.child.exitCode !== null) throw new Error(`worker exited: ${second.stderr()}`)
          if (receiver.deduped().size < TASKS) throw new Error(`${receiver.deduped().size} of ${TASKS}`)
          // the jobs in flight at the kill run again once they expire (30 s)
          if (delivered(first) + delivered(second) < TASKS) throw new Error('jobs still open')
        },
        { timeout: 150_000, interval: 200 },
      )
      await new Promise((r) => setTimeout(r, 1000))
      second.child.kill('SIGTERM')
      await second.exited

      // one delivery id per event, every event there; a repeat (a request in flight at the kill) has the same id
      const byTask = new Map<string, Set<string>>()
      for (const r of receiver.raw) byTask.set(r.taskId, (byTask.get(r.taskId) ?? new Set()).add(r.delivery))
      expect([...byTask.keys()].sort()).toEqual(tasks.map((t) => t.id).sort())
      for (const ids of byTask.values()) expect(ids.size).toBe(1)
      expect(receiver.raw.length - receiver.deduped().size).toBeLessThanOrEqual(IN_FLIGHT)

      const check = await open()
      try {
        const { rows } = await check.sql.query<{ status: string; n: string }>(
          'select status, count(*)::text as n from webhook_deliveries where webhook_id = $1 group by status',
          [hook.id],
        )
        expect(rows).toEqual([{ status: 'delivered', n: String(TASKS) }])
      } finally {
        await check.close()
      }
    } finally {
      await receiver.close()
    }
  })
})
