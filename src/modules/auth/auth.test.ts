import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'

const t = useTestApp()

const register = (payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload })
const login = (email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })

async function userRowsWithEmail(email: string) {
  const { rows } = await t.database.sql.query<{ id: string; role: string }>(
    'select id, role from users where lower(email) = lower($1)',
    [email],
  )
  return rows
}

describe('POST /auth/register', () => {
  it('creates the user and a session: 201, Location, the user shape and a token pair', async () => {
    const email = given.email()
    const res = await register({ email, password: given.password, name: 'Ada' })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.headers.location).toBe('/api/v1/users/me')
    const body = res.json()
    expect(body).toEqual({
      user: {
        id: expect.any(String),
        email,
        name: 'Ada',
        role: 'user',
        emailVerified: false,
        createdAt: expect.any(String),
      },
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: t.config.ACCESS_TOKEN_TTL,
    })
    expect(new Date(body.user.createdAt).toISOString()).toBe(body.user.createdAt)
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/users/me',
      headers: { authorization: `Bearer ${body.accessToken}` },
    })
    expect(me.statusCode).toBe(200)
    expect(me.json().id).toBe(body.user.id)
  })

  it('trims and lower-cases the email', async () => {
    const email = given.email()
    const res = await register({ email: `  ${email.toUpperCase()} `, password: given.password, name: 'Ada' })
    expect(res.statusCode).toBe(201)
    expect(res.json().user.email).toBe(email)
    expect((await login(` ${email.toUpperCase()}`, given.password)).statusCode).toBe(200)
  })

  it('answers 409 for an email already registered, whatever its case', async () => {
    const { email } = await given.user(t.app)
    const res = await register({ email: email.toUpperCase(), password: given.password, name: 'Copy' })
    expect(res.statusCode).toBe(409)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json()).toMatchObject({ status: 409, detail: 'Email already registered' })
    expect(await userRowsWithEmail(email)).toHaveLength(1)
  })

  it('lets exactly one of two concurrent registrations of the same email win', async () => {
    const email = given.email()
    const [a, b] = await Promise.all([
      register({ email, password: given.password, name: 'A' }),
      register({ email: email.toUpperCase(), password: given.password, name: 'B' }),
    ])
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409])
    expect(await userRowsWithEmail(email)).toHaveLength(1)
  })

  it.each(['12345678', 'PassW0rd'])(
    'rejects the common password %s (any case) with 400 naming body.password',
    async (password) => {
      const email = given.email()
      const res = await register({ email, password, name: 'Lazy' })
      expect(res.statusCode).toBe(400)
      expect(res.json().errors).toEqual([{ path: 'body.password', message: expect.any(String) }])
      expect(await userRowsWithEmail(email)).toHaveLength(0)
    },
  )

  it.each([
    ['short', 'x7#kQ2'],
    ['long', 'x'.repeat(257)],
  ])('rejects a too %s password with 400', async (_, password) => {
    const email = given.email()
    const res = await register({ email, password, name: 'Odd' })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'body.password' })])
    expect(await userRowsWithEmail(email)).toHaveLength(0)
  })

  it('accepts a password of exactly 8 and of 256 characters', async () => {
    for (const password of ['q8#Lm2vZ', `${'y'.repeat(255)}Z`]) {
      const res = await register({ email: given.email(), password, name: 'Edge' })
      expect(res.statusCode, res.body).toBe(201)
    }
  })

  it.each([
    ['role', 'admin'],
    ['id', '01900000-0000-7000-8000-000000000000'],
    ['disabled', false],
    ['createdAt', '2020-01-01T00:00:00.000Z'],
  ])('rejects the server-owned field %s with 400 and creates nothing', async (field, value) => {
    const email = given.email()
    const res = await register({ email, password: given.password, name: 'Sneaky', [field]: value })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(await userRowsWithEmail(email)).toHaveLength(0)
  })

  it('keeps the role user when a client tries to register as admin', async () => {
    const email = given.email()
    await register({ email, password: given.password, name: 'Sneaky', role: 'admin' })
    const ok = await register({ email, password: given.password, name: 'Honest' })
    expect(ok.json().user.role).toBe('user')
    expect(await userRowsWithEmail(email)).toEqual([expect.objectContaining({ role: 'user' })])
  })

  it('rejects an invalid email and a missing name with 400 naming the fields', async () => {
    const res = await register({ email: 'not-an-email', password: given.password })
    expect(res.statusCode).toBe(400)
    const paths = res.json().errors.map((e: { path: string }) => e.path)
    expect(paths).toEqual(expect.arrayContaining(['body.email', 'body.name']))
  })
})

describe('POST /auth/login', () => {
  it('signs in with the right password and gives a new token pair', async () => {
    const user = await given.user(t.app)
    const res = await login(user.email, user.password)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      user: expect.objectContaining({ id: user.id, email: user.email, role: 'user' }),
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: t.config.ACCESS_TOKEN_TTL,
    })
    expect(res.json().refreshToken).not.toBe(user.refreshToken)
  })

  it('gives the same 401 for an unknown email and for a wrong password', async () => {
    const user = await given.user(t.app)
    const wrongPassword = await login(user.email, 'not the password')
    const unknownEmail = await login(given.email('nobody'), user.password)
    for (const res of [wrongPassword, unknownEmail]) {
      expect(res.statusCode).toBe(401)
      expect(res.headers['www-authenticate']).toBe('Bearer')
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    }
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined })
    expect(strip(wrongPassword.json())).toEqual(strip(unknownEmail.json()))
  })

  it('refuses a disabled user with the same 401, even with the right password', async () => {
    const user = await given.user(t.app)
    await t.database.sql.query('update users set disabled = true where id = $1', [user.id])
    const res = await login(user.email, user.password)
    expect(res.statusCode).toBe(401)
    expect(res.json().detail).toBe('Invalid email or password')
  })

  it('rejects unknown fields with 400', async () => {
    const user = await given.user(t.app)
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: user.password, role: 'admin' },
    })
    expect(res.statusCode).toBe(400)
  })
})
