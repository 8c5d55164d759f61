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

/**
 * The read replica DATABASE_REPLICA_URL names, when the primary is PostgreSQL: a pool of its own
 * (DATABASE_POOL_SIZE) that gives up quickly, since every read it fails is served by the primary.
 */
export async function openConfiguredReplica(
  config: Config,
  primary: Database,
  logger: Logger,
): Promise<Database | undefined> {
  if (!config.DATABASE_REPLICA_URL) return undefined
  if (primary.kind !== 'postgres') {
    logger.warn('DATABASE_REPLICA_URL ignored: the embedded database has no replica')
    return undefined
  }
  return openDb({
    url: config.DATABASE_REPLICA_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    connectTimeoutMs: 2_000,
    queryTimeoutMs: 10_000,
    onError: (err) => logger.warn({ err }, 'idle replica connection lost'),
  })
}
