import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { openDb } from '../src/db/client.ts'
import { migrateUp } from '../src/db/migrate.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteImage: string
    pgTemplate: string
    runId: string
  }
}

/**
 * Migrates one database per run: a PGlite image (a tarball loaded by every test file), or on real
 * PostgreSQL (TEST_DATABASE_URL) a template database that every test file clones.
 */
export default async function setup(project: TestProject) {
  const runId = randomBytes(4).toString('hex')
  project.provide('runId', runId)
  const url = process.env.TEST_DATABASE_URL
  if (url) {
    const template = `tl_tpl_${runId}`
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`create database ${template}`)
    const database = await openDb({ url: withDb(url, template), poolSize: 1 })
    await migrateUp(database)
    await database.close()
    project.provide('pgTemplate', template)
    project.provide('pgliteImage', '')
    return async () => {
      const { rows } = await admin.query<{ datname: string }>(
        `select datname from pg_database where datname like 'tl\\_%' and datname like $1`,
        [`%${runId}%`],
      )
      for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`)
      await admin.end()
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'tasklane-test-'))
  const database = await openDb({ dataDir: join(dir, 'build') })
  await migrateUp(database)
  const image = await database.dump!()
  await database.close()
  const file = join(dir, 'image.tar')
  writeFileSync(file, Buffer.from(await image.arrayBuffer()))
  project.provide('pgliteImage', file)
  project.provide('pgTemplate', '')
  return () => rmSync(dir, { recursive: true, force: true })
}

export function withDb(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}
