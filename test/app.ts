import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll } from 'vitest'
import { buildApp } from '../src/app.ts'
import { type Config, loadConfig } from '../src/config.ts'
import type { Database } from '../src/db/client.ts'
import { openDeps } from '../src/deps.ts'
import { createInfra } from '../src/infra/index.ts'
import type { ReadinessCheck } from '../src/infra/readiness.ts'
import { createLogger } from '../src/logger.ts'
import { recordUndocumentedAnswers } from './answers.ts'
import { freshDatabase } from './db.ts'

export interface TestApp {
  app: FastifyInstance
  database: Database
  config: Config
  /** every log line the app wrote, parsed */
  logs: Record<string, unknown>[]
  /** raw log text, for grepping secrets */
  logText(): string
  /** SQL statements run since the last reset, for N+1 assertions */
  queries: string[]
  close(): Promise<void>
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tasklane-data-')),
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    LOG_LEVEL: 'info',
    RATE_LIMIT_ENABLED: 'false',
    // verification emails only where a test asks for them: others count the mail they cause
    EMAIL_VERIFICATION: 'off',
    ...env,
  })
}

/** An app on a fresh database, with its logs and queries captured. */
export async function createTestApp(
  opts: {
    env?: Record<string, string>
    checks?: ReadinessCheck[]
    /** extra routes registered before the app is ready (to exercise the platform) */
    routes?: (app: FastifyInstance) => void
    /** share a database with another test app (two instances on one database) */
    database?: Database
    /** Redis for the shared layer; defaults to TEST_REDIS_URL (none: in-memory) */
    redisUrl?: string
    /** Redis key prefix; apps given the same one share rate limits and caches */
    redisPrefix?: string
    /** how often open event streams get a heartbeat and a check of their credentials (15 s) */
    eventHeartbeatMs?: number
  } = {},
): Promise<TestApp> {
  const queries: string[] = []
  const database = opts.database ?? (await freshDatabase({ onQuery: (q) => queries.push(q) }))
  const config = testConfig(opts.env)
  const lines: string[] = []
  const logger = createLogger(config, { write: (line: string) => lines.push(line) })
  const redisUrl = opts.redisUrl ?? process.env.TEST_REDIS_URL
  const infra = createInfra(
    { REDIS_URL: redisUrl },
    logger,
    opts.redisPrefix ?? `test:${randomBytes(6).toString('hex')}:`,
  )
  const app = await buildApp(
    await openDeps({ config, database, logger, checks: opts.checks, infra, eventHeartbeatMs: opts.eventHeartbeatMs }),
  )
  recordUndocumentedAnswers(app)
  opts.routes?.(app)
  await app.ready()
  return {
    app,
    database,
    config,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    },
    logText: () => lines.join(''),
    queries,
    close: async () => {
      await app.close()
      if (!opts.database) await database.close()
    },
  }
}

/**
 * One of what `build` makes per test file: built before the first test, closed after the last. The
 * returned object reads through to it, so it can be named at the top of the file.
 */
export function perFile<T extends { close(): Promise<void> }>(build: () => Promise<T>, what = 'the test app'): T {
  let current: T | undefined
  beforeAll(async () => {
    current = await build()
  })
  afterAll(async () => {
    await current?.close()
  })
  return new Proxy({} as T, {
    get: (_, key) => {
      if (!current) throw new Error(`${what} is built in beforeAll; use it inside tests`)
      return current[key as keyof T]
    },
  })
}

/** One app per test file: built before the first test, closed after the last. */
export function useTestApp(opts: Parameters<typeof createTestApp>[0] = {}): TestApp {
  return perFile(() => createTestApp(opts))
}

/**
 * Two API instances on one fresh database and one Redis key prefix (TEST_REDIS_URL, or none: then
 * each counts its limits alone), built before the first test, closed after the last.
 */
export function useTwoTestApps(env: Record<string, string>) {
  const built: { a?: TestApp; b?: TestApp; database?: Database } = {}
  beforeAll(async () => {
    built.database = await freshDatabase()
    const shared = {
      database: built.database,
      redisUrl: process.env.TEST_REDIS_URL,
      redisPrefix: `test:${randomBytes(6).toString('hex')}:`,
      env,
    }
    built.a = await createTestApp(shared)
    built.b = await createTestApp(shared)
  })
  afterAll(async () => {
    await built.a?.close()
    await built.b?.close()
    await built.database?.close()
  })
  const proxy = <T extends object>(name: keyof typeof built) =>
    new Proxy({} as T, { get: (_, key) => (built[name] as T)[key as keyof T] })
  return { a: proxy<TestApp>('a'), b: proxy<TestApp>('b'), database: proxy<Database>('database') }
}
