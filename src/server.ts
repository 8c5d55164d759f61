import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { buildApp } from './app.ts'
import type { Config } from './config.ts'
import type { Database } from './db/client.ts'
import { migrateUp } from './db/migrate.ts'
import { openConfiguredDb } from './db/open.ts'
import { startLogDispatch } from './dispatch.ts'
import { closeConnectionsOnShutdown } from './http/shutdown.ts'
import { createInfra } from './infra/index.ts'
import { closeOnSignal } from './lifecycle.ts'
import { createPersonalTeam } from './modules/teams/personal-team.ts'
import { ensureAdmin } from './modules/users/seed.ts'

export interface RunningServer {
  app: FastifyInstance
  database: Database
  url: string
  close(): Promise<void>
}

/** The process: open the database → migrate → build the app → listen. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const database = await openConfiguredDb(config, logger)
  try {
    if (config.MIGRATE_ON_START) {
      const applied = await migrateUp(database)
      if (applied.length) logger.info({ applied }, 'migrations applied')
    }
    if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
      const seeded = await ensureAdmin(
        database.db,
        { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD },
        createPersonalTeam,
      )
      const { userId } = seeded
      if (seeded.outcome === 'created') logger.info({ userId, outcome: 'created' }, 'admin seeded')
      else if (seeded.promoted) logger.info({ userId, outcome: 'promoted' }, 'admin seeded')
      // disabled by another admin: a start does not undo that (the seed command does, on purpose)
      if (seeded.outcome === 'exists' && seeded.disabled) {
        logger.warn({ userId }, 'ADMIN_EMAIL names a disabled user: left disabled (run seed to enable it)')
      }
    }
    const infra = createInfra(config, logger)
    const app = await buildApp({ config, database, logger, infra })
    // embedded: one process holds the database, so it runs the background jobs too
    if (config.JOBS_IN_API ?? config.embeddedDb) {
      await app.queue.work()
      const dispatcher = await startLogDispatch({ database, queue: app.queue, logger })
      app.addHook('preClose', () => dispatcher.stop())
    }
    const drain = closeConnectionsOnShutdown(app)
    const address = await app.listen({ port: config.PORT, host: config.HOST })
    const url = address.replace('[::1]', 'localhost')
    logger.info(
      { url, docs: `${url}/docs`, database: database.kind },
      `Tasklane listening on ${url} (API ${url}/api/v1, docs ${url}/docs)`,
    )
    let closing: Promise<void> | undefined
    const close = () => {
      closing ??= (async () => {
        try {
          // what clients already sent is answered before the listener closes, within half the grace period
          await drain({ maxMs: Math.floor(config.SHUTDOWN_TIMEOUT_MS / 2) })
          await app.close()
        } finally {
          await database.close()
        }
      })()
      return closing
    }
    return { app, database, url, close }
  } catch (err) {
    await database.close()
    throw err
  }
}

/** Runs until SIGTERM/SIGINT, then stops accepting, lets in-flight requests finish (bounded) and closes the database. */
export async function serve(config: Config, logger: Logger): Promise<void> {
  const server = await startServer(config, logger)
  closeOnSignal({ logger, delayMs: config.SHUTDOWN_TIMEOUT_MS }, server.close)
}
