import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { createLogger } from '../logger.ts'
import { connectRedis, whenReady } from './redis.ts'
import { memoryStreamSlots, redisStreamSlots } from './stream-slots.ts'

const log = createLogger({ LOG_LEVEL: 'silent' })
const redisUrl = process.env.TEST_REDIS_URL
const prefix = `test:${randomBytes(4).toString('hex')}:`
const connections: ReturnType<typeof connectRedis>[] = []
const redis = async () => {
  const r = connectRedis(redisUrl!, log)
  connections.push(r)
  await whenReady(r, 2_000)
  return r
}
afterAll(() => {
  for (const r of connections) r.disconnect()
})

const kinds = {
  memory: async () => memoryStreamSlots(),
  ...(redisUrl ? { redis: async () => redisStreamSlots(await redis(), log, prefix) } : {}),
}

describe.each(Object.entries(kinds))('stream slots (%s)', (_, make) => {
  it('gives at most max slots per owner, and a slot back once', async () => {
    const slots = await make()
    const owner = randomBytes(4).toString('hex')
    const taken = await Promise.all(Array.from({ length: 8 }, () => slots.take(owner, 5)))
    expect(taken.filter(Boolean)).toHaveLength(5)
    expect(await slots.take(`${owner}-other`, 5)).toBeTruthy()
    const release = taken.find(Boolean)!
    release()
    release()
    expect(await slots.take(owner, 5)).toBeTruthy()
    expect(await slots.take(owner, 5)).toBeNull()
    await slots.close()
  })
})

describe.runIf(redisUrl)('stream slots in Redis', () => {
  it('are shared by instances; a live instance keeps its slots, a dead one loses them after the ttl', async () => {
    const owner = randomBytes(4).toString('hex')
    const opts = { ttlMs: 1_500, refreshMs: 300 }
    const dying = await redis()
    const a = redisStreamSlots(dying, log, prefix, opts)
    const b = redisStreamSlots(await redis(), log, prefix, opts)
    for (let i = 0; i < 3; i++) expect(await a.take(owner, 5)).toBeTruthy()
    for (let i = 0; i < 2; i++) expect(await b.take(owner, 5)).toBeTruthy()
    expect(await b.take(owner, 5)).toBeNull()
    // refreshed, A's slots outlive their ttl
    await new Promise((r) => setTimeout(r, 2_500))
    expect(await b.take(owner, 5)).toBeNull()
    // A's instance dies (no release, no refresh): its three places come free once they lapse
    dying.disconnect()
    await new Promise((r) => setTimeout(r, 2_500))
    for (let i = 0; i < 3; i++) expect(await b.take(owner, 5)).toBeTruthy()
    expect(await b.take(owner, 5)).toBeNull()
    await a.close()
    await b.close()
  })
})
