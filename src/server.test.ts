import { existsSync, mkdtempSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTestApp } from '../test/app.ts'
import { freshDatabaseUrl, testDatabaseUrl } from '../test/db.ts'
import { type Cli, killClis, runCli } from '../test/spawn.ts'
import { closeConnectionsOnShutdown } from './http/shutdown.ts'

const STOP_WITHIN_MS = 10_000

afterEach(killClis)

/** Starts `serve` and resolves with the URL from its startup line. */
async function serve(env: Record<string, string>) {
  const cli = runCli(['serve'], env)
  const url = await vi.waitFor(
    async () => {
      if (cli.child.exitCode !== null) throw new Error(`serve exited with ${cli.child.exitCode}: ${cli.stderr()}`)
      const line = cli.logs.find((l) => typeof l.url === 'string')
      if (!line) throw new Error('no startup line yet')
      return line.url as string
    },
    // generous: the suite runs beside it, and the first start transpiles the whole source
    { timeout: 60_000, interval: 50 },
  )
  return { ...cli, url, messages: () => cli.logs.map((l) => l.msg) }
}

async function stop(cli: Cli): Promise<number | null> {
  cli.child.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running ${STOP_WITHIN_MS} ms after SIGTERM`)), STOP_WITHIN_MS)
  })
  try {
    return await Promise.race([cli.exited, late])
  } finally {
    clearTimeout(timer)
  }
}

/** The environment of a development start: embedded, or a fresh clone of the template on real PostgreSQL. */
async function serveEnv() {
  const env: Record<string, string> = {
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tasklane-serve-')),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
  }
  if (testDatabaseUrl()) env.DATABASE_URL = await freshDatabaseUrl()
  return env
}

// a new connection (never a pooled keep-alive one): resolves with the status, rejects when refused
const connect = (url: string) =>
  new Promise<number>((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
  })

describe('tasklane serve', () => {
  it('answers /health and /ready, stops cleanly on SIGTERM, and starts again on the same data', async () => {
    const env = await serveEnv()
    const first = await serve(env)
    const startup = first.logs.find((l) => l.url === first.url)
    expect(startup?.msg).toContain(`${first.url}/docs`)
    // the start-up's own account: each step's time since the process started, in order
    const steps = startup?.startup as Record<string, number>
    // (`jobs` only where the API runs them: on the embedded database)
    const expected = ['listening', 'database', 'migrations', 'modules', 'serving']
    expect(Object.keys(steps)).toEqual(env.DATABASE_URL ? expected : [...expected, 'jobs'])
    expect(Object.values(steps)).toEqual([...Object.values(steps)].sort((x, y) => x - y))
    expect((await fetch(`${first.url}/health`)).status).toBe(200)
    const ready = await fetch(`${first.url}/ready`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { database: 'ok' } })

    expect(await stop(first)).toBe(0)
    expect(first.messages()).toContain('stopped')
    // the embedded database was closed, which releases its lock for the next process
    if (!env.DATABASE_URL) expect(existsSync(join(env.DATA_DIR!, 'db', 'pglite.pid'))).toBe(false)

    const second = await serve(env)
    expect((await fetch(`${second.url}/ready`)).status).toBe(200)
    expect(second.messages()).not.toContain('migrations applied')
    expect(await stop(second)).toBe(0)
    expect(second.stderr()).toBe('')
  }, 180_000)

  it('refuses a bad configuration with exit 1 and one line per bad variable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tasklane-serve-'))
    const cli = runCli(['serve'], { DATA_DIR: dataDir, PORT: 'abc', LOG_LEVEL: 'loud' })
    expect(await cli.exited).toBe(1)
    expect(cli.stderr().trimEnd().split('\n')).toEqual([
      'invalid configuration:',
      expect.stringMatching(/^ {2}PORT: \S/),
      expect.stringMatching(/^ {2}LOG_LEVEL: \S/),
    ])
    expect(cli.logs).toEqual([])
  })
})

describe('graceful shutdown', () => {
  it('lets an in-flight request finish while refusing new connections', async () => {
    let entered = () => {}
    const inside = new Promise<void>((resolve) => {
      entered = resolve
    })
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const t = await createTestApp({
      routes: (app) => {
        closeConnectionsOnShutdown(app)
        app.get('/test/slow', async () => {
          entered()
          await gate
          return { done: true }
        })
      },
    })
    try {
      const url = await t.app.listen({ port: 0, host: '127.0.0.1' })
      const inFlight = fetch(`${url}/test/slow`)
      await inside

      const closing = t.app.close()
      await vi.waitFor(() => expect(t.app.server.listening).toBe(false), { timeout: 10_000 })
      await expect(connect(`${url}/health`)).rejects.toMatchObject({ code: 'ECONNREFUSED' })

      release()
      const res = await inFlight
      expect(res.status).toBe(200)
      expect(res.headers.get('connection')).toBe('close')
      expect(await res.json()).toEqual({ done: true })
      await closing
    } finally {
      release()
      await t.close()
    }
  })
})
