import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { inject } from 'vitest'
import { type Database, openDb } from '../src/db/client.ts'
import { withDb } from './global-setup.ts'

export const testDatabaseUrl = () => process.env.TEST_DATABASE_URL

let image: Blob | undefined

/**
 * A fresh migrated database for one test file: a PGlite loaded from the run's image, or on real
 * PostgreSQL a clone of the run's template database.
 */
export async function freshDatabase(opts: { onQuery?: (sql: string) => void } = {}): Promise<Database> {
  if (testDatabaseUrl()) return openDb({ url: await freshDatabaseUrl(), poolSize: 10, onQuery: opts.onQuery })
  image ??= new Blob([readFileSync(inject('pgliteImage'))])
  return openDb({ image, onQuery: opts.onQuery })
}

/**
 * On real PostgreSQL (TEST_DATABASE_URL), the URL of a fresh clone of the run's migrated template,
 * for a process of its own (the CLI under test), or with `empty`, of a database without any schema.
 * Dropped with the others at the end of the run.
 */
export async function freshDatabaseUrl({ empty = false } = {}): Promise<string> {
  const url = testDatabaseUrl()
  if (!url) throw new Error('freshDatabaseUrl needs TEST_DATABASE_URL')
  const name = `tl_${inject('runId')}_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  try {
    await admin.query(`create database ${name}${empty ? '' : ` template ${inject('pgTemplate')}`}`)
  } finally {
    await admin.end()
  }
  return withDb(url, name)
}
