import type { Logger } from 'pino'
import type { Config } from './config.ts'
import { awaitMigrations, migrateUp, waitingFor } from './db/migrate.ts'
import { openConfiguredDb } from './db/open.ts'
import { openWorkerDeps, type WorkerDeps } from './deps.ts'
import { startLogDispatch } from './dispatch.ts'
import { closeOnSignal } from './lifecycle.ts'
import { type MetricsListener, startMetricsListener } from './worker-metrics.ts'

export interface RunningWorker {
  close(): Promise<void>
}

/**
 * A worker process: the background job handlers and nothing else (no HTTP), so API instances and
 * workers scale separately. Any number may run against one PostgreSQL; pg-boss hands each job to one.
 * Its dependencies are opened by openWorkerDeps (src/deps.ts), as the API's are by openDeps.
 */
export async function startWorker(config: Config, logger: Logger): Promise<RunningWorker> {
  const database = await openConfiguredDb(config, logger)
  let deps: WorkerDeps | undefined
  let metrics: MetricsListener | undefined
  try {
    // a worker may start before any API instance: the schema must be there for its jobs (applied
    // here, or, with MIGRATE_ON_START=false, by whoever does: it waits for them)
    if (config.MIGRATE_ON_START) await migrateUp(database)
    else await awaitMigrations(database, { onWait: waitingFor(logger) })
    deps = await openWorkerDeps({ config, database, logger })
    const { storage, queue, registry } = deps
    if (registry) {
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
    const opened = deps
    let closing: Promise<void> | undefined
    return {
      close: () => {
        // metrics → dispatcher → the queue (running jobs get most of the grace period) → storage → database
        closing ??= (async () => {
          try {
            await metrics?.close()
            await dispatcher.stop()
          } finally {
            await opened.close().finally(() => database.close())
          }
        })()
        return closing
      },
    }
  } catch (err) {
    await metrics?.close()
    await deps?.close().catch(() => {})
    await database.close()
    throw err
  }
}

/** Runs until SIGTERM/SIGINT, then lets running jobs finish (bounded) or returns them to the queue. */
export async function runWorker(config: Config, logger: Logger): Promise<void> {
  const worker = await startWorker(config, logger)
  closeOnSignal({ logger, delayMs: config.SHUTDOWN_TIMEOUT_MS, name: 'worker' }, worker.close)
}
