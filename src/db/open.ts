import { join } from 'node:path'
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import { type Database, openDb } from './client.ts'

/** The database the configuration names: PostgreSQL with DATABASE_URL, the embedded PGlite under DATA_DIR otherwise. */
export function openConfiguredDb(config: Config, logger: Logger): Promise<Database> {
  if (config.DATABASE_URL) {
    return openDb({
      url: config.DATABASE_URL,
      poolSize: config.DATABASE_POOL_SIZE,
      onError: (err) => logger.warn({ err }, 'idle database connection lost'),
    })
  }
  return openDb({ dataDir: join(config.DATA_DIR, 'db') })
}
