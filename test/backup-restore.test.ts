import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { describe, expect, inject, it } from 'vitest'
import { openDb } from '../src/db/client.ts'
import { migrationStatus } from '../src/db/migrate.ts'
import { login } from './accounts.ts'
import { createTestApp } from './app.ts'
import { testDatabaseUrl } from './db.ts'
import { sendFile } from './files-app.ts'
import { given } from './given.ts'
import { withDb } from './global-setup.ts'

const run = promisify(execFile)
const ROOT = new URL('..', import.meta.url).pathname

/** An empty database on the test server, dropped with the run's others. */
async function emptyDatabase(): Promise<string> {
  const url = testDatabaseUrl()!
  const name = `tl_${inject('runId')}_restore_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  try {
    await admin.query(`create database ${name} template template0`)
  } finally {
    await admin.end()
  }
  return withDb(url, name)
}

// deploy/backup.sh and deploy/restore.sh as docs/operations.md tells an operator to run them
describe.skipIf(!testDatabaseUrl())('backup and restore (PostgreSQL and local files)', () => {
  it('restores the database and the stored files together: the restored app serves both', {
    timeout: 180_000,
  }, async () => {
    const source = await createTestApp()
    const backup = mkdtempSync(join(tmpdir(), 'tasklane-backup-'))
    const user = await given.user(source.app)
    const task = await given.task(source.app, user, { title: 'Survives a restore' })
    const bytes = randomBytes(40_000)
    const uploaded = await sendFile(source.app, user, `/api/v1/tasks/${task.id}/attachments`, 'plan.bin', bytes)
    expect(uploaded.statusCode, uploaded.body).toBe(201)
    const attachment = uploaded.json()
    try {
      const env = {
        PATH: process.env.PATH!,
        DATABASE_URL: source.database.url!,
        STORAGE_DIR: source.config.STORAGE_DIR,
      }
      await run(join(ROOT, 'deploy/backup.sh'), [backup], { env })
    } finally {
      await source.close()
    }

    const target = await emptyDatabase()
    const dataDir = mkdtempSync(join(tmpdir(), 'tasklane-restored-'))
    const storageDir = join(dataDir, 'files')
    await run(join(ROOT, 'deploy/restore.sh'), [backup], {
      env: { PATH: process.env.PATH!, DATABASE_URL: target, STORAGE_DIR: storageDir },
    })
    const database = await openDb({ url: target, poolSize: 4 })
    const restored = await createTestApp({ database, env: { DATA_DIR: dataDir, STORAGE_DIR: storageDir } })
    try {
      expect((await migrationStatus(database)).filter((m) => m.state !== 'applied')).toEqual([])
      const session = await login(restored.app, user.email, user.password)
      expect(session.statusCode, session.body).toBe(200)
      const auth = { authorization: `Bearer ${session.json().accessToken}` }
      const got = await restored.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}`, headers: auth })
      expect(got.json().title).toBe('Survives a restore')
      const file = await restored.app.inject({
        method: 'GET',
        url: `/api/v1/attachments/${attachment.id}/content`,
        headers: auth,
      })
      expect(file.statusCode).toBe(200)
      expect(Buffer.compare(file.rawPayload, bytes)).toBe(0)
    } finally {
      await restored.close()
      await database.close()
    }
  })
})
