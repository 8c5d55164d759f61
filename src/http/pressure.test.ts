import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../config.ts'
import { registerErrorHandling } from './error-handler.ts'
import { registerPressure } from './pressure.ts'

async function appWithQueue(waiting: number) {
  const app = Fastify()
  registerErrorHandling(app)
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: '/tmp/tasklane-pressure-test',
    PRESSURE_MAX_DB_WAITING: '10',
  })
  await registerPressure(app, config, () => waiting)
  app.get('/health', async () => ({ status: 'ok' }))
  app.get('/api/v1/thing', async () => ({ ok: true }))
  await app.ready()
  // the queue check runs every 100 ms
  await new Promise((r) => setTimeout(r, 250))
  return app
}

describe('overload shedding', () => {
  it('answers 503 with Retry-After while too many requests wait for a database connection, /health still 200', async () => {
    const app = await appWithQueue(50)
    const shed = await app.inject({ method: 'GET', url: '/api/v1/thing' })
    expect(shed.statusCode).toBe(503)
    expect(shed.headers['retry-after']).toBe('2')
    expect(shed.headers['content-type']).toMatch(/application\/problem\+json/)
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
    await app.close()
  })

  it('serves normally below the threshold', async () => {
    const app = await appWithQueue(3)
    expect((await app.inject({ method: 'GET', url: '/api/v1/thing' })).statusCode).toBe(200)
    await app.close()
  })
})
