import { rmSync } from 'node:fs'
import pino from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshDatabaseUrl, testDatabaseUrl } from '../test/db.ts'
import { sendFile } from '../test/files-app.ts'
import { given } from '../test/given.ts'
import { workerEnv } from '../test/jobs.ts'
import { pdfWith } from '../test/pdf.ts'
import { type Cli, killClis, runCli } from '../test/spawn.ts'
import { buildApp } from './app.ts'
import { loadConfig } from './config.ts'
import { openDb } from './db/client.ts'
import { migrateUp } from './db/migrate.ts'
import { openDeps } from './deps.ts'
import { createLogger } from './logger.ts'
import { startWorker } from './worker.ts'

const dirs: string[] = []
afterEach(() => {
  killClis()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const logged = (cli: Cli, msg: string) => cli.logs.some((l) => l.msg === msg)

describe('worker', () => {
  it('completes an extraction after being killed (SIGKILL) in the middle of it', { timeout: 300_000 }, async () => {
    // PDF_EXTRACT_TIMEOUT_MS keeps the lost job's expiry (time limit + 15 s) short, yet leaves the second
    // worker's extraction (a process started through tsx, then 500 pages) time enough on a busy machine
    const { env, open } = await workerEnv({ PDF_EXTRACT_TIMEOUT_MS: '20000' }, dirs)

    // an API instance without handlers takes the upload: the extraction job waits in the queue
    let database = await open()
    await migrateUp(database)
    const config = loadConfig(env)
    const app = await buildApp(await openDeps({ config, database, logger: createLogger({ LOG_LEVEL: 'silent' }) }))
    await app.ready()
    const user = await given.user(app)
    const task = await given.task(app, user)
    const pdf = pdfWith('The elusive quokka appears', 1000)
    const res = await sendFile(app, user, `/api/v1/tasks/${task.id}/attachments`, 'long.pdf', pdf)
    expect(res.statusCode, res.body).toBe(201)
    const attachmentId = res.json().id
    await app.close()
    await database.close()

    // the first worker dies hard once it has started reading the PDF
    const first = runCli(['worker'], env)
    await vi.waitFor(
      () => {
        if (first.child.exitCode !== null) throw new Error(`worker exited: ${first.stderr()}`)
        if (!logged(first, 'pdf extraction started')) throw new Error('not started yet')
      },
      { timeout: 120_000, interval: 20 },
    )
    first.child.kill('SIGKILL')
    await first.exited
    expect(logged(first, 'pdf extraction done')).toBe(false)

    // a new worker picks the job up again once it has expired, and finishes it
    const second = runCli(['worker'], env)
    await vi.waitFor(
      () => {
        if (second.child.exitCode !== null) throw new Error(`worker exited: ${second.stderr()}`)
        if (!logged(second, 'pdf extraction done')) throw new Error('not done yet')
      },
      { timeout: 200_000, interval: 200 },
    )
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
    expect(logged(second, 'worker stopped')).toBe(true)

    database = await open()
    try {
      const { rows } = await database.sql.query<{ status: string; text: string }>(
        `select a.extraction_status as status, t.attachment_text as text
           from attachments a join tasks t on t.id = a.task_id where a.id = $1`,
        [attachmentId],
      )
      expect(rows[0]!.status).toBe('done')
      // the default page cap (PDF_EXTRACT_MAX_PAGES=500) stops the reading there
      expect(rows[0]!.text.includes('quokka appears page 500')).toBe(true)
      expect(rows[0]!.text.includes('page 501')).toBe(false)
    } finally {
      await database.close()
    }
  })

  it.skipIf(!testDatabaseUrl())(
    'waits with MIGRATE_ON_START=false until another instance has migrated an empty database, then runs',
    { timeout: 120_000 },
    async () => {
      const url = await freshDatabaseUrl({ empty: true })
      const lines: { msg: string; pending?: string[] }[] = []
      const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) })
      const config = loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: url,
        JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
        MIGRATE_ON_START: 'false',
      })
      // before the fix, the worker read the activity log's sequence at once and failed on the empty database
      const starting = startWorker(config, logger)
      let started = false
      void starting.then(() => (started = true)).catch(() => {})
      await vi.waitFor(() => expect(lines.some((l) => l.msg.startsWith('waiting for'))).toBe(true), {
        timeout: 30_000,
        interval: 20,
      })
      expect(started).toBe(false)
      expect(lines.find((l) => l.msg.startsWith('waiting for'))!.pending!.length).toBeGreaterThan(10)

      const database = await openDb({ url, poolSize: 2 })
      try {
        await migrateUp(database)
      } finally {
        await database.close()
      }
      const worker = await starting
      expect(lines.some((l) => l.msg === 'worker running')).toBe(true)
      await worker.close()
    },
  )
})
