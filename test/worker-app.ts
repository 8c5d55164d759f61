import { createHmac, timingSafeEqual } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll } from 'vitest'
import { buildApp } from '../src/app.ts'
import type { Config } from '../src/config.ts'
import type { Database } from '../src/db/client.ts'
import { openDeps } from '../src/deps.ts'
import { startLogDispatch } from '../src/dispatch.ts'
import { createQueue, lazyQueue, type Queue } from '../src/infra/queue.ts'
import { localStorage } from '../src/infra/storage-local.ts'
import { jobDefinitions } from '../src/jobs.ts'
import { createLogger } from '../src/logger.ts'
import type { LogDispatcher } from '../src/modules/activity/index.ts'
import { recordUndocumentedAnswers } from './answers.ts'
import { perFile, testConfig } from './app.ts'
import { freshDatabase } from './db.ts'

/** A clock the test moves: webhook deliveries read it. */
export function testClock(start = Date.now()) {
  let offset = start - Date.now()
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms: number) {
      offset += ms
    },
  }
}

export interface WorkerTestApp {
  app: FastifyInstance
  database: Database
  config: Config
  queue: Queue
  dispatcher: LogDispatcher
  logs(): Record<string, unknown>[]
  close(): Promise<void>
}

/**
 * An app whose process is a worker too: pg-boss handlers and the log dispatcher run here, polling
 * often. Pass `database` for a second worker on the same database.
 */
export async function createWorkerApp(
  opts: { env?: Record<string, string>; database?: Database; now?: () => Date; retryDelaySeconds?: number } = {},
): Promise<WorkerTestApp> {
  const config = testConfig({ WEBHOOK_ALLOW_PRIVATE: 'true', ...opts.env })
  const database = opts.database ?? (await freshDatabase())
  const lines: string[] = []
  const logger = createLogger(config, { write: (line: string) => lines.push(line) })
  const storage = localStorage(config.STORAGE_DIR)
  // the queue opens on first use, after the app exists: its job counters go to the app's /metrics
  const queue = lazyQueue(() =>
    createQueue({
      database,
      logger,
      pollingIntervalSeconds: 0.5,
      jobs: jobDefinitions({
        config,
        database,
        storage,
        registry: app.metrics.registry,
        now: opts.now,
        webhookRetryDelaySeconds: opts.retryDelaySeconds ?? 1,
      }),
    }),
  )
  const app = await buildApp(await openDeps({ config, database, logger, storage, queue }))
  recordUndocumentedAnswers(app)
  await app.ready()
  await queue.work()
  const dispatcher = await startLogDispatch({ database, queue, logger, pollMs: 200 })
  return {
    app,
    database,
    config,
    queue,
    dispatcher,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    close: async () => {
      await dispatcher.stop()
      await app.close()
      await queue.stop(1_000)
      await storage.close()
      if (!opts.database) await database.close()
    },
  }
}

export function useWorkerApp(opts: Parameters<typeof createWorkerApp>[0] = {}): WorkerTestApp {
  return perFile(() => createWorkerApp(opts), 'the worker app')
}

/**
 * A worker app (useWorkerApp's) that sends its email to an SMTP server of the test's own, with links
 * under `base`: `t` and `smtp` are usable from the first test on.
 */
export function useMailingWorkerApp(base: string) {
  let current: WorkerTestApp | undefined
  let server: Awaited<ReturnType<typeof startSmtp>> | undefined
  beforeAll(async () => {
    server = await startSmtp()
    current = await createWorkerApp({ env: { SMTP_URL: server.url, PUBLIC_URL: `${base}/` } })
  })
  afterAll(async () => {
    await current?.close()
    await server?.close()
  })
  return {
    t: new Proxy({} as WorkerTestApp, { get: (_, key) => current![key as keyof WorkerTestApp] }),
    smtp: new Proxy({} as Awaited<ReturnType<typeof startSmtp>>, {
      get: (_, key) => server![key as keyof typeof server],
    }),
  }
}

export interface Received {
  headers: http.IncomingHttpHeaders
  body: string
  json: { id: string; type: string; createdAt: string; data: Record<string, unknown> }
}

/** A webhook receiver on 127.0.0.1 that records every request and answers `status` (default 200). */
export async function startReceiver() {
  const received: Received[] = []
  let status: number | ((r: Received) => number) = 200
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const r: Received = { headers: req.headers, body, json: JSON.parse(body) }
      received.push(r)
      const code = typeof status === 'function' ? status(r) : status
      res.writeHead(code, { 'content-type': 'text/plain' }).end(code < 300 ? 'thanks' : 'receiver broke')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** The status of every request from now on, or a function choosing it per request. */
    answer(code: number | ((r: Received) => number)) {
      status = code
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

/** How a receiver checks `Tasklane-Signature` (docs/webhooks.md shows the same). */
export function verifySignature(secret: string, header: string, body: string, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]))
  const t = Number(parts.t)
  if (!parts.v1 || !Number.isFinite(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest()
  const given = Buffer.from(parts.v1, 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

export interface CapturedMail {
  to: string[]
  raw: string
  subject: string
}

/** An SMTP server on 127.0.0.1 that keeps every message (SMTP_URL for the app under test). */
export async function startSmtp() {
  const mails: CapturedMail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        // quoted-printable undone (soft line breaks, =XX bytes) so tests can look for text
        const raw = Buffer.from(
          Buffer.concat(chunks)
            .toString('latin1')
            .replace(/=\r?\n/g, '')
            .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
          'latin1',
        ).toString('utf8')
        const subject = /^Subject: (.*)$/m.exec(raw)?.[1] ?? ''
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, subject })
        done()
      })
    },
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    to: (email: string) => mails.filter((m) => m.to.includes(email)),
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
