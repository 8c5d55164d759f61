import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'

export const uniqueEmail = (tag = 'user') => `${tag}-${randomBytes(5).toString('hex')}@example.test`
export const GOOD_PASSWORD = 'correct horse battery staple'

export interface GivenUser {
  id: string
  email: string
  password: string
  name: string
  accessToken: string
  refreshToken: string
  /** headers with this user's bearer token */
  auth: { authorization: string }
}

/** Registers a user through the API. */
export async function givenUser(
  app: FastifyInstance,
  overrides: { email?: string; name?: string } = {},
): Promise<GivenUser> {
  const email = overrides.email ?? uniqueEmail()
  const name = overrides.name ?? 'Test User'
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password: GOOD_PASSWORD, name },
  })
  expect(res.statusCode, res.body).toBe(201)
  const body = res.json()
  return {
    id: body.user.id,
    email,
    password: GOOD_PASSWORD,
    name,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    auth: { authorization: `Bearer ${body.accessToken}` },
  }
}

/** Registers a user and makes them a global admin directly in the database. */
export async function givenAdmin(app: FastifyInstance): Promise<GivenUser> {
  const user = await givenUser(app, { name: 'Admin' })
  const { sql } = app.database
  await sql.query(`update users set role = 'admin' where id = $1`, [user.id])
  app.identity.states.forget(user.id)
  return user
}

/** Creates a personal access token for a user with the given scopes; returns its secret. */
export async function givenToken(app: FastifyInstance, user: GivenUser, scopes: string[]): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: user.auth,
    payload: { name: `token-${scopes.join('+')}`, scopes },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().secret
}
