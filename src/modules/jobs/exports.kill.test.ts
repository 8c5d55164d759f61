import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { given } from '../../../test/given.ts'
import { startJob, workerScene } from '../../../test/jobs.ts'
import { killClis, runCli, terminate, waitForLog } from '../../../test/spawn.ts'
import { localStorage } from '../../infra/storage-local.ts'

const TASKS = 3000

const dirs: string[] = []
afterEach(() => {
  killClis()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('an export whose worker is killed mid-way', () => {
  it('runs again and leaves exactly one complete file', { timeout: 400_000 }, async () => {
    const { env, config, open, app, closeApp } = await workerScene(dirs)
    const owner = await given.user(app)
    const team = await given.team(app, owner)
    const project = await given.project(app, team, owner)
    await given.tasks(app, { id: project.id, teamId: team.id }, TASKS)
    const job = await startJob(app, owner, 'exports', { teamId: team.id, format: 'csv' })
    await closeApp()

    const first = runCli(['worker'], env)
    const progress = await waitForLog(first, (l) => l.msg === 'job progress' && l.jobId === job.id, 120_000)
    first.child.kill('SIGKILL')
    await first.exited
    expect(progress.done).toBeLessThan(TASKS)

    const second = runCli(['worker'], env)
    await waitForLog(
      second,
      (l) => l.msg === 'job run ended' && l.jobId === job.id && l.outcome === 'finished',
      240_000,
    )
    await terminate(second)

    const check = await open()
    const storage = localStorage(config.STORAGE_DIR)
    try {
      const { rows } = await check.sql.query<{
        status: string
        result_key: string
        result: { rows: number; size: number }
        attempts: number
      }>('select status, result_key, result, attempts from jobs where id = $1', [job.id])
      expect(rows[0]).toMatchObject({ status: 'done', result: { rows: TASKS } })
      expect(rows[0]!.attempts).toBeGreaterThanOrEqual(2)
      // one object: the committed one, whole (the killed run's partial file never became an object)
      const objects = []
      for await (const o of storage.list('jobs/')) objects.push(o)
      expect(objects.map((o) => o.key)).toEqual([rows[0]!.result_key])
      const chunks: Buffer[] = []
      for await (const c of await storage.get(rows[0]!.result_key)) chunks.push(c as Buffer)
      const text = Buffer.concat(chunks).toString('utf8')
      expect(Buffer.byteLength(text)).toBe(rows[0]!.result.size)
      expect(text.split('\r\n').filter(Boolean)).toHaveLength(TASKS + 1)
    } finally {
      await check.close()
    }
  })
})
