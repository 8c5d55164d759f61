import underPressure from '@fastify/under-pressure'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../config.ts'
import { serviceUnavailable } from './problem.ts'

// liveness answers even when the instance sheds load: a busy instance is not a dead one
const EXEMPT = new Set(['/health'])

/**
 * Sheds load with 503 + Retry-After once the instance is past what it can serve, rather than
 * queueing until every request is slow: when the event loop lags (CPU saturated) or when more
 * requests wait for a database connection than the pool can serve soon. Both thresholds come
 * from the configuration; 0 turns a check off. Unset, they are on in production on PostgreSQL
 * only: the embedded database runs its queries on the event loop, so lag there is no overload
 * signal (and the test suite, busy on purpose, must not be shed).
 */
export async function registerPressure(app: FastifyInstance, config: Config, dbWaiting: () => number): Promise<void> {
  const onByDefault = config.NODE_ENV === 'production' && !config.embeddedDb
  const maxDelay = config.PRESSURE_MAX_EVENT_LOOP_DELAY_MS ?? (onByDefault ? 200 : 0)
  const maxWaiting = config.PRESSURE_MAX_DB_WAITING ?? (onByDefault ? 100 : 0)
  if (!maxDelay && !maxWaiting) return
  await app.register(underPressure, {
    maxEventLoopDelay: maxDelay,
    ...(maxWaiting > 0 ? { healthCheck: async () => dbWaiting() <= maxWaiting, healthCheckInterval: 100 } : {}),
    pressureHandler: (req: FastifyRequest) => {
      if (EXEMPT.has(req.url)) return
      return Promise.reject(
        serviceUnavailable('The server is overloaded; retry shortly', config.PRESSURE_RETRY_AFTER_S),
      )
    },
  })
}
