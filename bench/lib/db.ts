import { join } from 'node:path'
import { type Database, openDb } from '../../src/db/client.ts'
import { embeddedDataDir, type Size } from './options.ts'

/** The bench's database: DATABASE_URL, or the embedded one of this size (the app's DATA_DIR layout). */
export function openBenchDb(databaseUrl: string | undefined, size: Size): Promise<Database> {
  return databaseUrl
    ? openDb({ url: databaseUrl, poolSize: 4 })
    : openDb({ dataDir: join(embeddedDataDir(size), 'db') })
}

export const BENCH_EMAIL_DOMAIN = 'bench.tasklane.test'
export const BENCH_PASSWORD = 'bench-password-not-secret'
