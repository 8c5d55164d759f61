import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/app.ts'

const t = useTestApp()

describe('request log', () => {
  it('writes one info line per request, with the request id, status and time; the level as a word', async () => {
    const before = t.logs.length
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { 'x-request-id': 'one-line' } })
    expect(res.statusCode).toBe(401)
    const lines = t.logs.slice(before)
    expect(lines.filter((l) => l.reqId === 'one-line')).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'request completed',
        req: expect.objectContaining({ method: 'GET', url: '/api/v1/users/me' }),
        res: { statusCode: 401 },
        responseTime: expect.any(Number),
      }),
    ])
    expect(lines.every((l) => typeof l.level === 'string')).toBe(true)
  })

  it('logs the probes (/health, /ready, /metrics) below info', async () => {
    const before = t.logs.length
    for (const url of ['/health', '/ready', '/metrics']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(200)
    }
    expect(t.logs.slice(before)).toEqual([])
  })
})
