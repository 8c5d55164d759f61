import type { Logger } from 'pino'
import { Registry } from 'prom-client'
import type { Config } from './config.ts'
import { awaitMigrations, migrateUp, waitingFor } from './db/migrate.ts'
import { openConfiguredDb } from './db/open.ts'
import { startLogDispatch } from './dispatch.ts'
import { processMetrics } from './http/metrics.ts'
import { createQueue, queueSettings } from './infra/queue.ts'
import { openStorage } from './infra/storage-open.ts'
import { jobDefinitions } from './jobs.ts'
import { closeOnSignal } from './lifecycle.ts'
import { instrumentLogDispatch } from './modules/activity/index.ts'
import { type MetricsListener, startMetricsListener } from './worker-metrics.ts'

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
    // a worker may start before any API instance: the schema must be there for its jobs (applied
    // here, or, with MIGRATE_ON_START=false, by whoever does: it waits for them)
    if (config.MIGRATE_ON_START) await migrateUp(database)
    else await awaitMigrations(database, { onWait: waitingFor(logger) })
    const storage = openStorage(config)
    // what this worker's jobs count (runs by kind and outcome, emails, webhook deliveries) is only
    // known here: served on WORKER_METRICS_PORT when set
    const registry = config.WORKER_METRICS_PORT === undefined ? undefined : new Registry()
    const queue = await createQueue({
      database,
      logger,
      jobs: jobDefinitions({ config, database, storage, registry }),
      ...queueSettings(config),
    })
    let metrics: MetricsListener | undefined
    if (registry) {
      processMetrics(registry, database)
      queue.instrument(registry)
      instrumentLogDispatch(registry, database.db, logger)
      metrics = await startMetricsListener({
        registry,
        host: config.HOST,
        port: config.WORKER_METRICS_PORT!,
        token: config.METRICS_TOKEN,
        logger,
      })
    }
    await queue.work()
    // the activity log → webhook deliveries and email jobs (workers share one locked cursor)
    const dispatcher = await startLogDispatch({ database, queue, logger })
    logger.info({ database: database.kind, storage: storage.kind }, 'worker running')
    let closing: Promise<void> | undefined
    return {
      close: () => {
        closing ??= (async () => {
          try {
            await metrics?.close()
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
