import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { createLogger } from '../logger.ts'
import { memoryCache, redisCache } from './cache.ts'
import { memoryPubSub, redisPubSub } from './pubsub.ts'
import { memoryRateLimitStore, redisRateLimitStore } from './rate-limit.ts'
import { connectRedis, whenReady } from './redis.ts'

const log = createLogger({ LOG_LEVEL: 'silent' })
const redisUrl = process.env.TEST_REDIS_URL
const prefix = `test:${randomBytes(4).toString('hex')}:`
const connections: ReturnType<typeof connectRedis>[] = []
const redis = () => {
  const r = connectRedis(redisUrl!, log)
  connections.push(r)
  return r
}
afterAll(() => {
  for (const r of connections) r.disconnect()
})

const stores = {
  memory: async () => memoryRateLimitStore(),
  ...(redisUrl
    ? {
        redis: async () => {
          const r = redis()
          await whenReady(r, 2_000)
          return redisRateLimitStore(r, log, prefix)
        },
      }
    : {}),
}

describe.each(Object.entries(stores))('rate-limit store (%s)', (_, make) => {
  it('counts hits per key within a window', async () => {
    const store = await make()
    const key = `k:${randomBytes(4).toString('hex')}`
    const a = await store.hit(key, 60_000)
    const b = await store.hit(key, 60_000)
    const other = await store.hit(`${key}:other`, 60_000)
    expect([a.count, b.count, other.count]).toEqual([1, 2, 1])
    expect(a.resetAt).toBeGreaterThan(Date.now())
    expect(a.resetAt).toBeLessThanOrEqual(Date.now() + 60_000)
    await store.close()
  })

  it('starts a new window once the old one ends', async () => {
    const store = await make()
    const key = `w:${randomBytes(4).toString('hex')}`
    await store.hit(key, 50)
    await new Promise((r) => setTimeout(r, 80))
    expect((await store.hit(key, 50)).count).toBe(1)
    await store.close()
  })

  it('is atomic under concurrent hits', async () => {
    const store = await make()
    const key = `c:${randomBytes(4).toString('hex')}`
    const counts = await Promise.all(Array.from({ length: 50 }, () => store.hit(key, 60_000)))
    expect(counts.map((c) => c.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    await store.close()
  })
})

const caches = {
  memory: async () => memoryCache(),
  ...(redisUrl
    ? {
        redis: async () => {
          const r = redis()
          await whenReady(r, 2_000)
          return redisCache(r, prefix)
        },
      }
    : {}),
}

describe.each(Object.entries(caches))('cache (%s)', (_, make) => {
  it('stores JSON values until they expire or are deleted', async () => {
    const cache = await make()
    const key = `c:${randomBytes(4).toString('hex')}`
    expect(await cache.get(key)).toBeUndefined()
    await cache.set(key, { a: 1, b: ['x'] }, 60_000)
    expect(await cache.get(key)).toEqual({ a: 1, b: ['x'] })
    await cache.del(key)
    expect(await cache.get(key)).toBeUndefined()
    await cache.set(key, 1, 30)
    await new Promise((r) => setTimeout(r, 60))
    expect(await cache.get(key)).toBeUndefined()
  })
})

const pubsubs = {
  memory: async () => {
    const shared = memoryPubSub()
    return [shared, shared] as const
  },
  ...(redisUrl
    ? {
        redis: async () => {
          const a = redisPubSub(redis(), redis(), log)
          const b = redisPubSub(redis(), redis(), log)
          return [a, b] as const
        },
      }
    : {}),
}

describe.each(Object.entries(pubsubs))('pub/sub (%s)', (_, make) => {
  it('delivers a message published by one instance to the subscribers of another', async () => {
    const [a, b] = await make()
    const channel = `${prefix}ch:${randomBytes(4).toString('hex')}`
    const received = new Promise<string>((resolve) => b.subscribe(channel, resolve))
    // the subscription is made asynchronously on Redis: publish until it is heard
    let got: string | undefined
    void received.then((m) => {
      got = m
    })
    for (let i = 0; i < 50 && got === undefined; i++) {
      await a.publish(channel, 'hello')
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(await received).toBe('hello')
  })
})

describe.skipIf(!redisUrl)('pub/sub over Redis, with a key prefix', () => {
  it('keeps apps with different prefixes apart on one Redis, on the same channel name', async () => {
    const [x1, x2] = [
      redisPubSub(redis(), redis(), log, `${prefix}x:`),
      redisPubSub(redis(), redis(), log, `${prefix}x:`),
    ]
    const [y1, y2] = [
      redisPubSub(redis(), redis(), log, `${prefix}y:`),
      redisPubSub(redis(), redis(), log, `${prefix}y:`),
    ]
    const heard = { x: [] as string[], y: [] as string[] }
    x2.subscribe('invalidate', (m) => heard.x.push(m))
    y2.subscribe('invalidate', (m) => heard.y.push(m))
    const until = async (got: string[], send: () => Promise<void>, message: string) => {
      for (let i = 0; i < 100 && !got.includes(message); i++) {
        await send()
        await new Promise((r) => setTimeout(r, 20))
      }
      expect(got).toContain(message)
    }
    // y's subscriber is listening once it hears y's own message; then x's message must reach x only
    await until(heard.y, () => y1.publish('invalidate', 'from-y'), 'from-y')
    await until(heard.x, () => x1.publish('invalidate', 'from-x'), 'from-x')
    await y1.publish('invalidate', 'y-again')
    await until(heard.y, async () => {}, 'y-again')
    expect(heard.y).not.toContain('from-x')
    expect(heard.x).not.toContain('from-y')
  })
})

describe.skipIf(!redisUrl)('pub/sub over Redis, after the connection drops', () => {
  it('subscribes again by itself (ioredis’s own resubscription, which leaves a failure unhandled, is off)', async () => {
    const subscriber = redis()
    const pubsub = redisPubSub(redis(), subscriber, log)
    await whenReady(subscriber, 2_000)
    expect(subscriber.options.autoResubscribe).toBe(false)
    const channel = `${prefix}reconnect`
    const got: string[] = []
    pubsub.subscribe(channel, (m) => got.push(m))
    const receives = async (message: string) => {
      for (let i = 0; i < 100 && !got.includes(message); i++) {
        await pubsub.publish(channel, message)
        await new Promise((r) => setTimeout(r, 50))
      }
      return got.includes(message)
    }
    expect(await receives('before')).toBe(true)
    const back = new Promise((resolve) => subscriber.once('ready', resolve))
    subscriber.disconnect(true)
    await back
    expect(await receives('after')).toBe(true)
  })
})
