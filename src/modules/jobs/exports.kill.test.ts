import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { freshDatabaseUrl, testDatabaseUrl } from '../../../test/db.ts'
import { givenUser } from '../../../test/given.ts'
import { startJob } from '../../../test/given-jobs.ts'
import { insertTasks } from '../../../test/given-tasks.ts'
import { givenProject, givenTeam } from '../../../test/given-teams.ts'
import { killClis, runCli, terminate, waitForLog } from '../../../test/spawn.ts'
import { buildApp } from '../../app.ts'
import { loadConfig } from '../../config.ts'
import { openDb } from '../../db/client.ts'
import { migrateUp } from '../../db/migrate.ts'
import { localStorage } from '../../infra/storage-local.ts'
import { createLogger } from '../../logger.ts'

const TASKS = 3000

const dirs: string[] = []
afterEach(() => {
  killClis()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('an export whose worker is killed mid-way', () => {
  it('runs again and leaves exactly one complete file', { timeout: 400_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tasklane-export-kill-'))
    dirs.push(dataDir)
    const url = testDatabaseUrl() ? await freshDatabaseUrl() : undefined
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
      LOG_LEVEL: 'info',
      RATE_LIMIT_ENABLED: 'false',
      // small batches make the export take long enough to be killed in the middle; a short timeout
      // has the lost run taken for dead (and the job run again) soon after the kill
      JOB_BATCH_ROWS: '10',
      JOB_TIMEOUT_SECONDS: '20',
      ...(url ? { DATABASE_URL: url } : {}),
    }
    const config = loadConfig(env)
    const open = () => (url ? openDb({ url, poolSize: 2 }) : openDb({ dataDir: join(dataDir, 'db') }))

    // the job is created through an API instance that runs no jobs
    const database = await open()
    await migrateUp(database)
    const app = await buildApp({ config, database, logger: createLogger({ LOG_LEVEL: 'silent' }) })
    await app.ready()
    const owner = await givenUser(app)
    const team = await givenTeam(app, owner)
    const project = await givenProject(app, team, owner)
    await insertTasks(app, { id: project.id, teamId: team.id }, TASKS)
    const job = await startJob(app, owner, 'exports', { teamId: team.id, format: 'csv' })
    await app.close()
    await database.close()

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
