import type { Logger } from 'pino'
import type { Config } from './config.ts'
import { migrateUp } from './db/migrate.ts'
import { openConfiguredDb } from './db/open.ts'
import { startLogDispatch } from './dispatch.ts'
import { createQueue, queueSettings } from './infra/queue.ts'
import { openStorage } from './infra/storage-open.ts'
import { jobDefinitions } from './jobs.ts'
import { closeOnSignal } from './lifecycle.ts'

export interface RunningWorker {
  close(): Promise<void>
}

/**
 * A worker process: the background job handlers and nothing else (no HTTP), so API instances and
 * workers scale separately. Any number may run against one PostgreSQL; pg-boss hands each job to one.
 */
export async function startWorker(config: Config, logger: Logger): Promise<RunningWorker> {
  const database = await openConfiguredDb(config, logger)
  try {
    // a worker may start before any API instance: the schema must be there for its jobs
    if (config.MIGRATE_ON_START) await migrateUp(database)
    const storage = openStorage(config)
    const queue = await createQueue({
      database,
      logger,
      jobs: jobDefinitions({ config, database, storage }),
      ...queueSettings(config),
    })
    await queue.work()
    // the activity log → webhook deliveries and email jobs (workers share one locked cursor)
    const dispatcher = await startLogDispatch({ database, queue, logger })
    logger.info({ database: database.kind, storage: storage.kind }, 'worker running')
    let closing: Promise<void> | undefined
    return {
      close: () => {
        closing ??= (async () => {
          try {
            await dispatcher.stop()
            // running jobs get most of the grace period; the rest go back to the queue for a retry
            await queue.stop(Math.floor(config.SHUTDOWN_TIMEOUT_MS * 0.8))
          } finally {
            await storage.close()
            await database.close()
          }
        })()
        return closing
      },
    }
  } catch (err) {
    await database.close()
    throw err
  }
}

/** Runs until SIGTERM/SIGINT, then lets running jobs finish (bounded) or returns them to the queue. */
export async function runWorker(config: Config, logger: Logger): Promise<void> {
  const worker = await startWorker(config, logger)
  closeOnSignal({ logger, delayMs: config.SHUTDOWN_TIMEOUT_MS, name: 'worker' }, worker.close)
}
