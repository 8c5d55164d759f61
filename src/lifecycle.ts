import closeWithGrace from 'close-with-grace'
import type { Logger } from 'pino'
import { databaseUnavailable } from './db/errors.ts'

type ErrorSource = Pick<NodeJS.Process, 'on'>

export interface ProcessErrorOptions {
  logger: Logger
  /** Stops the process (the grace-bounded close, then exit 1). */
  fail(err: unknown): void
  source?: ErrorSource
}

/**
 * What to do with an error nothing handled. A lost database connection that escaped its handler
 * (a driver's socket event, a library's timer) is logged and survived: the pool, the listeners and
 * the queue reconnect on their own, and ending every in-flight request of an API instance because
 * the database restarted is the outage this prevents. Anything else leaves the process in an
 * unknown state: it shuts down.
 */
export function watchProcessErrors({ logger, fail, source = process }: ProcessErrorOptions): void {
  const onError = (err: unknown) => {
    if (databaseUnavailable(err)) {
      logger.error({ err }, 'lost database connection not handled where it happened; carrying on')
      return
    }
    fail(err)
  }
  source.on('uncaughtException', onError)
  source.on('unhandledRejection', onError)
}

/**
 * Runs until SIGTERM/SIGINT, then calls `close` (bounded by `delayMs`) and exits 0; an unhandled
 * error other than a lost database connection closes the same way and exits 1.
 */
export function closeOnSignal(
  { logger, delayMs, name = '' }: { logger: Logger; delayMs: number; name?: string },
  close: () => Promise<void>,
): void {
  const prefix = name ? `${name} ` : ''
  // close-with-grace exits on the first unhandled error: those go through watchProcessErrors instead
  const grace = closeWithGrace(
    {
      delay: delayMs,
      skip: ['uncaughtException', 'unhandledRejection'],
      logger: false,
      onTimeout: () => logger.error({ delayMs }, 'shutdown took too long; exiting'),
      onSecondSignal: (signal) => logger.warn({ signal }, 'second signal; exiting'),
    },
    async ({ signal }) => {
      logger.info({ signal }, `${prefix}shutting down`)
      await close()
      logger.info(`${prefix}stopped`)
    },
  )
  let failing = false
  watchProcessErrors({
    logger,
    fail: (err) => {
      if (failing) {
        logger.fatal({ err }, 'second error, exiting')
        process.exit(1)
      }
      failing = true
      grace.uninstall()
      logger.fatal({ err }, 'fatal error, shutting down')
      setTimeout(() => process.exit(1), delayMs).unref()
      close().finally(() => process.exit(1))
    },
  })
}
