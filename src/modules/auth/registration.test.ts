import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { loadConfig } from '../../config.ts'

const tmp = () => mkdtempSync(join(tmpdir(), 'tasklane-registration-'))
const register = (t: TestApp, email = given.email()) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password: given.password, name: 'N' },
  })
const settings = async (t: TestApp) => (await t.app.inject({ method: 'GET', url: '/api/v1/auth/settings' })).json()
const usersNamed = async (t: TestApp, email: string) =>
  (await t.database.sql.query('select id from users where email = $1', [email])).rows

describe.each(['open', 'invite', 'closed'] as const)('REGISTRATION=%s', (policy) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION: policy } })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('is announced on GET /auth/settings', async () => {
    expect(await settings(t)).toMatchObject({ registration: policy })
  })

  it(
    policy === 'open' ? 'lets anyone register' : 'refuses registration without an invitation, creating nothing',
    async () => {
      const email = given.email()
      const res = await register(t, email)
      if (policy === 'open') {
        expect(res.statusCode, res.body).toBe(201)
        return
      }
      expect(res.statusCode).toBe(403)
      expect(res.headers['content-type']).toContain('application/problem+json')
      expect(res.json().detail).toMatch(policy === 'closed' ? /closed/ : /invitation/)
      expect(await usersNamed(t, email)).toEqual([])
    },
  )

  it('lets an administrator create an account whatever the policy', async () => {
    // the first admin exists before any policy applies (the seed command)
    const adminApp =
      policy === 'open' ? t : await createTestApp({ database: t.database, env: { REGISTRATION: 'open' } })
    const admin = await given.admin(adminApp.app)
    if (adminApp !== t) await adminApp.close()
    const email = given.email('made')
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: admin.auth,
      payload: { email, name: 'Made By Admin', password: given.password },
    })
    expect(res.statusCode, res.body).toBe(201)
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: given.password },
    })
    expect(login.statusCode).toBe(200)
  })
})

describe('the REGISTRATION default', () => {
  it('is open in development and invite in production', () => {
    const dev = loadConfig({ DATA_DIR: tmp() })
    expect(dev.REGISTRATION).toBe('open')
    const prod = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      ALLOW_EMBEDDED_DB: 'true',
      DATA_DIR: tmp(),
    })
    expect(prod.REGISTRATION).toBe('invite')
  })
})
