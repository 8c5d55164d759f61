import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/app.ts'
import { given } from '../../test/given.ts'

const hasRedisServer = (() => {
  try {
    execFileSync('redis-server', ['--version'])
    return true
  } catch {
    return false
  }
})()

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  )
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'pipe' })
      return proc
    } catch {
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  throw new Error('redis-server did not start')
}

const stop = (proc: ChildProcess) =>
  new Promise<void>((resolve) => {
    proc.once('exit', () => resolve())
    proc.kill('SIGKILL')
  })

const eventually = async (check: () => Promise<boolean>, ms = 8_000) => {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('condition not met in time')
}

describe.skipIf(!hasRedisServer)('when Redis goes away and comes back', () => {
  let redis: ChildProcess | undefined
  let t: TestApp | undefined
  afterAll(async () => {
    await t?.close()
    if (redis && redis.exitCode === null && redis.signalCode === null) await stop(redis)
  })

  it('keeps serving with per-instance limits, reports degraded, and reconnects by itself', async () => {
    const port = await freePort()
    redis = await startRedis(port)
    t = await createTestApp({
      redisUrl: `redis://127.0.0.1:${port}`,
      env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_USER_PER_MIN: '1000' },
    })
    const app = t.app
    const ready = async () => (await app.inject({ method: 'GET', url: '/ready' })).json()
    await eventually(async () => (await ready()).checks.redis === 'ok')
    const user = await given.user(app)

    await stop(redis)
    await eventually(async () => (await ready()).checks.redis === 'degraded')
    const whileDown = await app.inject({ method: 'GET', url: '/ready' })
    expect(whileDown.statusCode).toBe(200)
    expect(whileDown.json().status).toBe('degraded')
    const served = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: user.auth })
    expect(served.statusCode).toBe(200)
    expect(served.headers['ratelimit-limit']).toBe('1000')
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(/tasklane_redis_up 0/)
    expect(metrics).toMatch(/tasklane_rate_limit_fallbacks_total [1-9]/)
    expect(t.logText()).toContain('redis unavailable')

    redis = await startRedis(port)
    await eventually(async () => (await ready()).checks.redis === 'ok')
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/tasklane_redis_up 1/)
  }, 30_000)
})
