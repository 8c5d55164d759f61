import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { eventually } from './eventually.ts'
import type { GivenUser } from './given.ts'
import type { CapturedMail } from './worker-app.ts'

type Smtp = { to(email: string): CapturedMail[] }

/** The token of a link to `route` (e.g. `/reset-password`) in an email, and that the link is absolute under `base`. */
export function linkToken(mail: CapturedMail, route: string, base?: string): string {
  const match = new RegExp(`(\\S*)${route.replace(/\//g, '\\/')}\\?token=([A-Za-z0-9_-]+)`).exec(mail.raw)
  if (!match) throw new Error(`no ${route} link in: ${mail.raw.slice(0, 2000)}`)
  if (base) expect(match[1]!.endsWith(base)).toBe(true)
  return match[2]!
}

/** Waits for the n-th email to `email` whose subject matches, and returns it. */
export async function mailTo(smtp: Smtp, email: string, subject: RegExp, nth = 1): Promise<CapturedMail> {
  const all = await eventually(() => {
    const found = smtp.to(email).filter((m) => subject.test(m.subject))
    return found.length >= nth && found
  })
  return all[nth - 1]!
}

/** Asks for a password-reset link through the API. */
export async function requestReset(app: FastifyInstance, email: string) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email } })
  expect(res.statusCode, res.body).toBe(202)
}

export const confirmReset = (app: FastifyInstance, token: string, password: string) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, password } })

export const login = (app: FastifyInstance, email: string, password: string) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })

/** Turns one kind of email notification off (or on) for the user, through the API. */
export async function setNotification(app: FastifyInstance, user: GivenUser, kind: string, on = false) {
  const res = await app.inject({
    method: 'PATCH',
    url: '/api/v1/users/me',
    headers: user.auth,
    payload: { notifications: { [kind]: on } },
  })
  expect(res.statusCode, res.body).toBe(200)
}
