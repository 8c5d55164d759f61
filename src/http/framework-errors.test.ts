import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp, useTestApp } from '../../test/app.ts'

// issue 15, item 6: what failed before the app's handler was answered in Fastify's or Node's own
// JSON shape, without a request id
const PROBLEM = 'application/problem+json'

interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** Parses every HTTP/1.1 response in `text` (pipelined answers come back to back). */
function parseResponses(text: string): RawResponse[] {
  const out: RawResponse[] = []
  let rest = text
  while (rest.startsWith('HTTP/1.1')) {
    const end = rest.indexOf('\r\n\r\n')
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n')
    const headers = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
    )
    const length = Number(headers['content-length'] ?? 0)
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) })
    rest = rest.slice(end + 4 + length)
  }
  return out
}

/** Writes raw bytes on a new connection and reads until the server closes it. */
function exchange(port: number, data: string | Buffer): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1')
    })
    socket.on('close', () => resolve(parseResponses(text)))
    socket.on('error', (err) => (text ? resolve(parseResponses(text)) : reject(err)))
    socket.write(data)
  })
}

function expectProblem(res: { status: number; headers: Record<string, unknown>; body: string }, status: number) {
  expect(res.status, res.body).toBe(status)
  expect(res.headers['content-type']).toBe(PROBLEM)
  const body = JSON.parse(res.body)
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^urn:tasklane:problem:/) })
  expect(body.requestId).toEqual(expect.any(String))
  expect(res.headers['x-request-id']).toBe(body.requestId)
  return body
}

describe('errors the router raises', () => {
  const t = useTestApp()
  const inject = async (url: string, headers: Record<string, string> = {}) => {
    const res = await t.app.inject({ method: 'GET', url, headers })
    return { status: res.statusCode, headers: res.headers as Record<string, unknown>, body: res.body }
  }

  it('answers bad percent-encoding in the path with a 400 problem and the request id', async () => {
    const body = expectProblem(await inject('/api/v1/tasks/%FF'), 400)
    expect(body.instance).toBe('/api/v1/tasks/%FF')
    // a sane id the client sent is still the one echoed
    const echoed = await inject('/api/v1/tasks/%E0%A4%A', { 'x-request-id': 'trace-42' })
    expect(expectProblem(echoed, 400).requestId).toBe('trace-42')
  })

  it('answers a path parameter over 200 characters with a 414 problem', async () => {
    const body = expectProblem(await inject(`/api/v1/tasks/${'a'.repeat(5000)}`), 414)
    expect(body.type).toBe('urn:tasklane:problem:uri-too-long')
    expect(body.instance.length).toBeLessThanOrEqual(2000)
  })
})

describe("errors Node's HTTP parser raises, on a listening server", () => {
  let t: TestApp
  let port: number
  beforeAll(async () => {
    t = await createTestApp()
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    port = (t.app.server.address() as { port: number }).port
  })
  afterAll(() => t.close())

  it('answers a 70,000-character query with a 431 problem, logged with its id', async () => {
    const [res] = await exchange(port, `GET /api/v1/tasks?q=${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)
    const body = expectProblem(res!, 431)
    expect(body.instance).toBeUndefined()
    expect(t.logs.some((l) => l.reqId === body.requestId && l.msg === 'malformed request refused')).toBe(true)
  })

  it.each([
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n'],
    ['a header name with a space', 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'],
    ['a NUL in a header value', 'GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n'],
    ['a Content-Length that is not a number', 'POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: ab\r\n\r\n'],
    [
      'both Content-Length and chunked',
      'POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
  ])('answers %s with a 400 problem', async (_, request) => {
    const [res] = await exchange(port, request)
    expectProblem(res!, 400)
  })

  it('still serves a well-formed request on the same server', async () => {
    const [res] = await exchange(port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(res!.status).toBe(200)
  })
})

describe('a request that arrives while the app closes', () => {
  let t: TestApp
  let release: () => void
  let received: () => void
  let closingStarted: () => void
  const gotSlow = new Promise<void>((r) => {
    received = r
  })
  const preClosed = new Promise<void>((r) => {
    closingStarted = r
  })
  beforeAll(async () => {
    t = await createTestApp({
      routes: (app) => {
        app.get('/test/slow', async () => {
          received()
          await new Promise<void>((r) => {
            release = r
          })
          return { ok: true }
        })
        app.addHook('preClose', async () => closingStarted())
      },
    })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
  })
  afterAll(() => t.database.close())

  it('is a 503 problem with Retry-After and the request id, while the request in flight finishes', async () => {
    const port = (t.app.server.address() as { port: number }).port
    const socket: Socket = connect(port, '127.0.0.1')
    let text = ''
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1')
    })
    const ended = new Promise<void>((r) => socket.on('close', () => r()))
    socket.write('GET /test/slow HTTP/1.1\r\nHost: x\r\n\r\n')
    await gotSlow
    const closed = t.app.close()
    await preClosed
    // a second request on the busy, kept-alive connection, sent once the app is closing
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n')
    await new Promise((r) => setTimeout(r, 200))
    release()
    await closed
    socket.end()
    await ended
    const [slow, late] = parseResponses(text)
    expect(slow!.status).toBe(200)
    const body = expectProblem(late!, 503)
    expect(body.type).toBe('urn:tasklane:problem:unavailable')
    expect(late!.headers['retry-after']).toBe('1')
  })
})
