import { describe, expect, it } from 'vitest'
import { ApiError, describeError } from './problem.ts'

describe('describeError', () => {
  it('says how long a 429 asks to wait when the server said it', () => {
    const limited = new ApiError(429, undefined, new Response(null, { status: 429, headers: { 'retry-after': '42' } }))
    expect(describeError(limited)).toBe(
      'Too many requests: the server asks to wait 42 s before the next one. Try again then.',
    )
    expect(describeError(new ApiError(429, undefined))).toMatch(/^Too many requests: .*Try again in a moment\.$/)
  })
})
