import { Redis } from 'ioredis'
import type { Logger } from 'pino'

/**
 * A Redis connection that fails fast while Redis is away (no offline queue: callers fall back at
 * once) and reconnects by itself, logging each transition once.
 */
export function connectRedis(url: string, log: Logger, name = 'main'): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    // redisPubSub subscribes again on 'ready', catching a failure; ioredis's own resubscription
    // does not catch one, and a Redis that drops the connection again at that moment rejected it
    // unhandled (no offline queue), which ends the process
    autoResubscribe: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
  })
  let up = false
  redis.on('ready', () => {
    if (!up) log.info({ redis: name }, 'redis connected')
    up = true
  })
  const lost = (reason: string) => {
    if (up) log.warn({ redis: name, reason }, 'redis unavailable; falling back to per-instance state')
    up = false
  }
  redis.on('error', (err) => lost(err.message))
  redis.on('close', () => lost('connection closed'))
  return redis
}

/** Resolves once the connection is ready (at once when it is), rejects after `timeoutMs`. */
export async function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady)
      reject(new Error(`redis not ready within ${timeoutMs} ms`))
    }, timeoutMs)
    const onReady = () => {
      clearTimeout(timer)
      resolve()
    }
    redis.once('ready', onReady)
  })
}
