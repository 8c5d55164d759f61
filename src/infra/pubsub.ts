import { EventEmitter } from 'node:events'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'

/** Fan-out between instances: cache invalidations and "new activity" wake-ups. */
export interface PubSub {
  publish(channel: string, message: string): Promise<void>
  subscribe(channel: string, handler: (message: string) => void): void
  close(): Promise<void>
}

/** One process: delivery to the handlers of this instance only. */
export function memoryPubSub(): PubSub {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  return {
    async publish(channel, message) {
      emitter.emit(channel, message)
    },
    subscribe(channel, handler) {
      emitter.on(channel, handler)
    },
    async close() {
      emitter.removeAllListeners()
    },
  }
}

/**
 * Redis pub/sub: every instance (this one included) receives what any instance publishes. A
 * subscriber needs its own connection. While Redis is away, messages reach this instance only.
 * Channels carry `keyPrefix` on the wire, as keys do: apps sharing one Redis do not hear each other.
 */
export function redisPubSub(publisher: Redis, subscriber: Redis, log: Logger, keyPrefix = ''): PubSub {
  const local = memoryPubSub()
  const channels = new Set<string>()
  subscriber.on('message', (channel: string, message: string) => {
    if (channel.startsWith(keyPrefix)) void local.publish(channel.slice(keyPrefix.length), message)
  })
  // after a reconnect, subscriptions must be made again
  subscriber.on('ready', () => {
    if (channels.size) subscriber.subscribe(...channels).catch(() => {})
  })
  return {
    async publish(channel, message) {
      try {
        await publisher.publish(keyPrefix + channel, message)
      } catch (err) {
        log.warn({ channel, err: (err as Error).message }, 'redis publish failed; delivering locally only')
        await local.publish(channel, message)
      }
    },
    subscribe(channel, handler) {
      local.subscribe(channel, handler)
      const wire = keyPrefix + channel
      if (!channels.has(wire)) {
        channels.add(wire)
        if (subscriber.status === 'ready') subscriber.subscribe(wire).catch(() => {})
      }
    },
    async close() {
      await local.close()
    },
  }
}
