import { afterEach, describe, expect, it, vi } from 'vitest'
import { accessTokens } from './jwt.ts'

const SECRET = 'a-test-secret-of-enough-length'

describe('access token verification cache', () => {
  afterEach(() => vi.useRealTimers())

  it('checks a signature once per token and still refuses the token once it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const tokens = accessTokens(SECRET, 60)
    const token = await tokens.sign('user-1', 'family-1')
    expect(await tokens.verify(token)).toEqual({ sub: 'user-1', sid: 'family-1' })
    expect(await tokens.verify(token)).toEqual({ sub: 'user-1', sid: 'family-1' })
    expect(tokens.stats).toEqual({ hits: 1, misses: 1 })
    vi.advanceTimersByTime(61_000)
    expect(await tokens.verify(token)).toBeNull()
  })

  it('never remembers a refused token, and remembers nothing with a size of 0', async () => {
    const tokens = accessTokens(SECRET, 60)
    const forged = `${(await accessTokens('another-secret-of-enough-length', 60).sign('u', 'f')).slice(0, -2)}xx`
    expect(await tokens.verify(forged)).toBeNull()
    expect(await tokens.verify(forged)).toBeNull()
    expect(tokens.stats.hits).toBe(0)
    const uncached = accessTokens(SECRET, 60, 0)
    const token = await uncached.sign('user-1', 'family-1')
    await uncached.verify(token)
    await uncached.verify(token)
    expect(uncached.stats).toEqual({ hits: 0, misses: 2 })
  })

  it('keeps at most its size of tokens, forgetting the oldest', async () => {
    const tokens = accessTokens(SECRET, 60, 2)
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((u) => tokens.sign(u, 'f')))
    for (const t of [a, b, c]) await tokens.verify(t!)
    await tokens.verify(c!)
    await tokens.verify(a!)
    expect(tokens.stats).toEqual({ hits: 1, misses: 4 })
  })
})
