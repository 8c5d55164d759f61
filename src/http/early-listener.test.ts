import { createServer } from 'node:net'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { OperatorError } from '../lib/operator-error.ts'
import { listenEarly } from './early-listener.ts'

describe('the early listener', () => {
  it('answers /health at once and 503 with Retry-After to the rest, until the app serves', async () => {
    const early = await listenEarly({ port: 0, host: '127.0.0.1' })
    try {
      expect(early.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const health = await fetch(`${early.url}/health`)
      expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }])
      for (const path of ['/ready', '/hello']) {
        const res = await fetch(`${early.url}${path}`)
        expect([res.status, res.headers.get('retry-after')]).toEqual([503, '1'])
        expect(res.headers.get('content-type')).toBe('application/problem+json')
        const body = await res.json()
        expect(body).toMatchObject({ type: 'urn:tasklane:problem:not-ready', status: 503 })
        expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/)
        expect(res.headers.get('x-request-id')).toBe(body.requestId)
      }
      // a sane client-sent id is kept, as the app keeps it
      const traced = await fetch(`${early.url}/hello`, { headers: { 'x-request-id': 'trace-early' } })
      expect((await traced.json()).requestId).toBe('trace-early')
      const app = Fastify({ serverFactory: early.serverFactory })
      app.get('/hello', async () => 'from the app')
      await app.ready()
      early.serve()
      const hello = await fetch(`${early.url}/hello`)
      expect([hello.status, await hello.text()]).toEqual([200, 'from the app'])
      // the app's own routes now: this one has no /health
      expect((await fetch(`${early.url}/health`)).status).toBe(404)
      const closed = early.close()
      await app.close()
      await closed
    } finally {
      await early.close()
    }
  })

  it('refuses a busy port in words an operator acts on', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const { port } = taken.address() as { port: number }
    try {
      const err = await listenEarly({ port, host: '127.0.0.1' }).catch((e) => e)
      expect(err).toBeInstanceOf(OperatorError)
      expect(err.message).toBe(
        `port ${port} on 127.0.0.1 is in use by another process: stop it, or set PORT to a free port`,
      )
    } finally {
      taken.close()
    }
  })
})
