import { BENCH_PASSWORD } from './db.ts'
import type { BenchUser } from './fixtures.ts'

/**
 * Logs the bench users in, one at a time (argon2 is meant to be slow), and again after a 503: a
 * server that just started may shed load until its event-loop lag settles. Returns their tokens.
 */
export async function loginAll(url: string, users: BenchUser[]): Promise<string[]> {
  const tokens: string[] = []
  for (const u of users) {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: u.email, password: BENCH_PASSWORD }),
      })
      if (res.ok) {
        tokens.push(((await res.json()) as { accessToken: string }).accessToken)
        break
      }
      if (res.status !== 503 || attempt === 10)
        throw new Error(`login of ${u.email} failed: ${res.status} ${await res.text()}`)
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000))
    }
  }
  return tokens
}
