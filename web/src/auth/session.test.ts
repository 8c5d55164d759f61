// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest'

const KEY = 'tasklane.session'
const pair = (n: number, expiresIn = 900) => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresIn })
const stored = () => JSON.parse(localStorage.getItem(KEY) ?? 'null')

// the module keeps the session in memory: each test loads it afresh over what localStorage holds
async function load(session?: { accessToken: string; refreshToken: string; expiresAt: number }) {
  localStorage.clear()
  if (session) localStorage.setItem(KEY, JSON.stringify(session))
  vi.resetModules()
  return import('./session.ts')
}
const respond = (status: number, body?: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  })

describe('session', () => {
  beforeEach(() => localStorage.clear())

  it('sends the stored access token while it has time left, without refreshing', async () => {
    const session = await load({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 })
    const fetch = vi.fn()
    expect(await session.accessToken(fetch)).toBe('a')
    expect(fetch).not.toHaveBeenCalled()
  })

  it('refreshes an expiring token once for concurrent callers and keeps the rotated pair', async () => {
    const session = await load({ accessToken: 'old', refreshToken: 'refresh-0', expiresAt: Date.now() + 1000 })
    const fetch = vi.fn(async () => respond(200, pair(1)))
    const tokens = await Promise.all([
      session.accessToken(fetch),
      session.accessToken(fetch),
      session.accessToken(fetch),
    ])
    expect(tokens).toEqual(['access-1', 'access-1', 'access-1'])
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(JSON.parse(String((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].body))).toEqual({
      refreshToken: 'refresh-0',
    })
    expect(stored().refreshToken).toBe('refresh-1')
  })

  it('signs this browser out when the refresh token is refused', async () => {
    const session = await load({ accessToken: 'old', refreshToken: 'reused', expiresAt: Date.now() - 1 })
    const seen: unknown[] = []
    session.subscribe((s) => seen.push(s))
    expect(await session.accessToken(async () => respond(401, { title: 'Unauthorized' }))).toBeNull()
    expect(session.getSession()).toBeNull()
    expect(localStorage.getItem(KEY)).toBeNull()
    expect(seen).toEqual([null])
  })

  it('takes the pair another tab already rotated instead of sending the used refresh token', async () => {
    const session = await load({ accessToken: 'mine', refreshToken: 'refresh-0', expiresAt: Date.now() + 600_000 })
    // the other tab rotated after this one read storage
    localStorage.setItem(
      KEY,
      JSON.stringify({ accessToken: 'theirs', refreshToken: 'refresh-1', expiresAt: Date.now() + 600_000 }),
    )
    const fetch = vi.fn()
    expect((await session.refreshSession(true, fetch))?.accessToken).toBe('theirs')
    expect(fetch).not.toHaveBeenCalled()
  })

  it('keeps the session through a server error, so a later try can still refresh', async () => {
    const session = await load({ accessToken: 'old', refreshToken: 'r', expiresAt: Date.now() - 1 })
    await expect(session.accessToken(async () => respond(503))).rejects.toThrow(/refresh failed/)
    expect(stored().refreshToken).toBe('r')
  })
})
