import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from './config.ts'
import type { Database } from './db/client.ts'
import { listenEarly } from './http/early-listener.ts'
import { closeOnSignal } from './lifecycle.ts'

export interface RunningServer {
  app: FastifyInstance
  database: Database
  url: string
  close(): Promise<void>
}

/**
 * The process: listen (a busy port fails here, before anything else) → open the database while the
 * app's modules load → migrate (one select when nothing is pending) → build the app → serve, then
 * start the embedded job runners. /health answers from the first step; the rest of the API once the
 * app is built (until then 503 with Retry-After: 1, which a load balancer sends elsewhere).
 */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  // milliseconds since the process started, at each step: the start-up's own account in the log
  const startup: Record<string, number> = {}
  const mark = (step: string) => {
    startup[step] = Math.round(performance.now())
  }
  // the listener's module is all this one imports up front: the rest (the database client and
  // Drizzle included) loads once /health answers
  const early = await listenEarly({ port: config.PORT, host: config.HOST })
  mark('listening')
  const modules = Promise.all([
    import('./app.ts'),
    import('./deps.ts'),
    import('./infra/index.ts'),
    import('./dispatch.ts'),
    import('./http/shutdown.ts'),
  ])
  modules.catch(() => {})
  let database: Database
  try {
    const { openConfiguredDb } = await import('./db/open.ts')
    database = await openConfiguredDb(config, logger)
    mark('database')
  } catch (err) {
    await early.close()
    throw err
  }
  try {
    if (config.MIGRATE_ON_START) {
      const { migrateUp } = await import('./db/migrate.ts')
      const applied = await migrateUp(database)
      if (applied.length) logger.info({ applied }, 'migrations applied')
      mark('migrations')
    } else {
      // another instance (or `tasklane migrate`) applies them: serving before they are would answer 500s
      const { awaitMigrations, waitingFor } = await import('./db/migrate.ts')
      await awaitMigrations(database, { onWait: waitingFor(logger) })
    }
    if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) await seedAdmin(config, database, logger)
    const [{ buildApp }, { openDeps }, { createInfra }, { startLogDispatch }, { closeConnectionsOnShutdown }] =
      await modules
    mark('modules')
    const deps = await openDeps({ config, database, logger, infra: createInfra(config, logger) })
    const app = await buildApp(deps, { serverFactory: early.serverFactory })
    const drain = closeConnectionsOnShutdown(app)
    // Fastify closes a server it did not start listening without waiting for its requests: this
    // does, after the app's own preClose hooks (the event streams end) and before its onClose ones
    // (Redis, the queue, storage), so no request in flight loses them
    app.addHook('preClose', () => early.close())
    await app.ready()
    early.serve()
    mark('serving')
    // embedded: one process holds the database, so it runs the background jobs too (once serving)
    let dispatcher: { stop(): Promise<void> } | undefined
    if (config.JOBS_IN_API ?? config.embeddedDb) {
      await deps.queue.work()
      dispatcher = await startLogDispatch({ database, queue: deps.queue, logger })
      mark('jobs')
    }
    const url = early.url
    logger.info(
      { url, docs: `${url}/docs`, database: database.kind, startup },
      `Tasklane listening on ${url} (API ${url}/api/v1, docs ${url}/docs)`,
    )
    let closing: Promise<void> | undefined
    const close = () => {
      closing ??= (async () => {
        try {
          // what clients already sent is answered before the listener closes, within half the grace period
          await drain({ maxMs: Math.floor(config.SHUTDOWN_TIMEOUT_MS / 2) })
          await dispatcher?.stop()
          await app.close()
        } finally {
          await database.close()
        }
      })()
      return closing
    }
    return { app, database, url, close }
  } catch (err) {
    await early.close()
    await database.close()
    throw err
  }
}

async function seedAdmin(config: Config, database: Database, logger: Logger) {
  const [{ ensureAdmin }, { createPersonalTeam }] = await Promise.all([
    import('./modules/admin/seed.ts'),
    import('./modules/teams/personal-team.ts'),
  ])
  const seeded = await ensureAdmin(
    database.db,
    { email: config.ADMIN_EMAIL!, password: config.ADMIN_PASSWORD },
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

/** Runs until SIGTERM/SIGINT, then stops accepting, lets in-flight requests finish (bounded) and closes the database. */
export async function serve(config: Config, logger: Logger): Promise<void> {
  const server = await startServer(config, logger)
  closeOnSignal({ logger, delayMs: config.SHUTDOWN_TIMEOUT_MS }, server.close)
}
