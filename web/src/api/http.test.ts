// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const fetchMock = vi.fn<(req: Request) => Promise<Response>>()
const problem = (status: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ status, title: 'x' }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  })

async function load() {
  localStorage.setItem(
    'tasklane.session',
    JSON.stringify({ accessToken: 'token-1', refreshToken: 'r1', expiresAt: Date.now() + 600_000 }),
  )
  vi.resetModules()
  return import('./http.ts')
}

describe('apiFetch', () => {
  beforeEach(() => {
    fetchMock.mockReset()
    vi.stubGlobal('fetch', fetchMock)
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
    localStorage.clear()
  })

  it('sends the access token and retries a read after a network error, saying so meanwhile', async () => {
    const { apiFetch, onTrouble } = await load()
    const trouble: unknown[] = []
    onTrouble((t) => trouble.push(t?.kind ?? null))
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch')).mockResolvedValueOnce(new Response('{}'))
    const pending = apiFetch(new Request('http://app.test/api/v1/tasks'))
    await vi.runAllTimersAsync()
    expect((await pending).status).toBe(200)
    expect(fetchMock).toHaveBeenCalledTimes(2)
    expect(fetchMock.mock.calls[1]![0].headers.get('authorization')).toBe('Bearer token-1')
    expect(trouble).toEqual(['offline', null])
  })

  it('waits what Retry-After says on a 429, then tries again', async () => {
    const { apiFetch } = await load()
    fetchMock.mockResolvedValueOnce(problem(429, { 'retry-after': '3' })).mockResolvedValueOnce(new Response('{}'))
    const pending = apiFetch(new Request('http://app.test/api/v1/tasks'))
    await vi.advanceTimersByTimeAsync(2900)
    expect(fetchMock).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(200)
    expect((await pending).status).toBe(200)
  })

  it('gives up after three retries and hands back the last answer', async () => {
    const { apiFetch } = await load()
    fetchMock.mockImplementation(async () => problem(503, { 'retry-after': '1' }))
    const pending = apiFetch(new Request('http://app.test/api/v1/tasks'))
    await vi.runAllTimersAsync()
    expect((await pending).status).toBe(503)
    expect(fetchMock).toHaveBeenCalledTimes(4)
  })

  it('gives a create an Idempotency-Key and sends the same one when it retries', async () => {
    const { apiFetch } = await load()
    fetchMock
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValueOnce(new Response('{}', { status: 201 }))
    const pending = apiFetch(new Request('http://app.test/api/v1/tasks', { method: 'POST', body: '{"title":"x"}' }))
    await vi.runAllTimersAsync()
    await pending
    const keys = fetchMock.mock.calls.map(([req]) => req.headers.get('idempotency-key'))
    expect(keys[0]).toMatch(/^[0-9a-f]{32}$/)
    expect(keys[1]).toBe(keys[0])
    expect(await fetchMock.mock.calls[1]![0].text()).toBe('{"title":"x"}')
  })

  it('does not send a sign-in twice: a POST without an Idempotency-Key fails at the first network error', async () => {
    const { apiFetch } = await load()
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    const req = new Request('http://app.test/api/v1/auth/login', { method: 'POST', body: '{}' })
    await expect(apiFetch(req)).rejects.toMatchObject({ name: 'ApiError', status: 0 })
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })

  it('does not retry a refused request (4xx other than 429)', async () => {
    const { apiFetch } = await load()
    fetchMock.mockResolvedValue(problem(400))
    expect((await apiFetch(new Request('http://app.test/api/v1/tasks'))).status).toBe(400)
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })
})
