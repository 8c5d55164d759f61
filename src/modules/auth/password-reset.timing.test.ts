import { describe, expect, it } from 'vitest'
import { createTestApp, useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'

const t = useTestApp()

/**
 * Mann-Whitney U test of two samples: the z score of the hypothesis that neither tends to be larger.
 * Rank-based, so a few slow outliers (a garbage collection, another process) weigh no more than any
 * other sample.
 */
function mannWhitneyZ(a: number[], b: number[]): number {
  const all = [...a.map((v) => ({ v, a: true })), ...b.map((v) => ({ v, a: false }))].sort((x, y) => x.v - y.v)
  let rankSumA = 0
  for (let i = 0; i < all.length; ) {
    let j = i
    while (j < all.length && all[j]!.v === all[i]!.v) j++
    const rank = (i + j + 1) / 2 // ties share their mean rank
    for (let k = i; k < j; k++) if (all[k]!.a) rankSumA += rank
    i = j
  }
  const n1 = a.length
  const n2 = b.length
  const u = rankSumA - (n1 * (n1 + 1)) / 2
  return (u - (n1 * n2) / 2) / Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12)
}

describe('POST /auth/password-reset', () => {
  it('takes the same time for an address with an account and one without (statistically)', {
    timeout: 180_000,
  }, async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => given.user(t.app)))
    // addresses of the same shape, never registered
    const nobodies = Array.from({ length: 5 }, () => given.email())
    const timed = async (email: string) => {
      const start = process.hrtime.bigint()
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email } })
      const ns = Number(process.hrtime.bigint() - start)
      expect(res.statusCode).toBe(202)
      expect(res.body).toBe('')
      return ns
    }
    // warm-up: compiled schemas, prepared statements, the queue's first send
    for (let i = 0; i < 10; i++) await timed(i % 2 ? users[i % 5]!.email : nobodies[i % 5]!)

    // interleaved in random order, so drifts of the machine's load hit both samples alike
    const order = Array.from({ length: 160 }, (_, i) => i % 2 === 0).sort(() => Math.random() - 0.5)
    const known: number[] = []
    const unknown: number[] = []
    for (const [i, isKnown] of order.entries()) {
      if (isKnown) known.push(await timed(users[i % users.length]!.email))
      else unknown.push(await timed(nobodies[i % nobodies.length]!))
    }
    // |z| < 3.29: no difference at the 0.1 % level. Doing the same work in both cases passes; looking
    // the address up and queueing the email only when it exists fails by a wide margin (z ≈ 9 here)
    const z = mannWhitneyZ(known, unknown)
    expect(Math.abs(z), `z = ${z.toFixed(2)}`).toBeLessThan(3.29)
  })

  it('is rate-limited per email and per IP, alike for addresses with and without an account', {
    timeout: 90_000,
  }, async () => {
    const limited = await createTestApp({
      env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PASSWORD_RESET_PER_HOUR: '2', RATE_LIMIT_LOGIN_PER_MIN: '5' },
    })
    try {
      const user = await given.user(limited.app)
      const ask = (email: string, ip = '203.0.113.7') =>
        limited.app.inject({
          method: 'POST',
          url: '/api/v1/auth/password-reset',
          payload: { email },
          remoteAddress: ip,
        })
      const nobody = given.email('nobody')
      expect((await ask(user.email)).statusCode).toBe(202)
      expect((await ask(user.email)).statusCode).toBe(202)
      const perEmail = await ask(user.email, '203.0.113.8')
      expect(perEmail.statusCode).toBe(429)
      expect(perEmail.headers['retry-after']).toBeDefined()
      expect(perEmail.headers['content-type']).toContain('application/problem+json')
      // an address without an account is limited just the same (a different answer would tell them apart)
      expect((await ask(nobody, '203.0.113.9')).statusCode).toBe(202)
      expect((await ask(nobody, '203.0.113.9')).statusCode).toBe(202)
      expect((await ask(nobody, '203.0.113.9')).statusCode).toBe(429)
      // per IP: 5 a minute whatever the address
      expect((await ask(given.email())).statusCode).toBe(202) // 3rd from .7
      expect((await ask(given.email())).statusCode).toBe(202)
      expect((await ask(given.email())).statusCode).toBe(202)
      expect((await ask(given.email())).statusCode).toBe(429)
      expect((await ask(given.email(), '203.0.113.10')).statusCode).toBe(202)
    } finally {
      await limited.close()
    }
  })
})
