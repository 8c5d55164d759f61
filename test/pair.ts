import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll } from 'vitest'
import type { Database } from '../src/db/client.ts'
import { createTestApp, type TestApp } from './app.ts'
import { freshDatabase } from './db.ts'

export interface InstancePair {
  /** the instance the test acts through */
  a: TestApp
  /** the instance the test streams from: another one on the same database and Redis when Redis is configured */
  b: TestApp
  /** base URL of `b`, listening on 127.0.0.1 */
  baseB: string
  /** whether `a` and `b` are two instances (PostgreSQL and Redis) or one (the embedded, single-instance mode) */
  two: boolean
}

/**
 * Two API instances on one database and one Redis for the file's tests when TEST_REDIS_URL is set
 * (the production layout); otherwise one instance playing both parts, since the embedded
 * database serves one instance.
 */
export function useInstancePair(opts: { env?: Record<string, string>; eventHeartbeatMs?: number } = {}): InstancePair {
  const redisUrl = process.env.TEST_REDIS_URL
  const pair = {} as InstancePair
  let database: Database | undefined
  beforeAll(async () => {
    if (redisUrl) {
      database = await freshDatabase()
      const shared = {
        database,
        redisUrl,
        redisPrefix: `test:${randomBytes(6).toString('hex')}:`,
        env: opts.env,
        eventHeartbeatMs: opts.eventHeartbeatMs,
      }
      pair.a = await createTestApp(shared)
      pair.b = await createTestApp(shared)
    } else {
      pair.a = await createTestApp({ env: opts.env, eventHeartbeatMs: opts.eventHeartbeatMs })
      pair.b = pair.a
    }
    pair.two = pair.a !== pair.b
    pair.baseB = await pair.b.app.listen({ port: 0, host: '127.0.0.1' })
  })
  afterAll(async () => {
    await pair.a?.close()
    if (pair.two) await pair.b?.close()
    await database?.close()
  })
  return pair
}
