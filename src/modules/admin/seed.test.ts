import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { bearer } from '../../../test/http.ts'
import { createPersonalTeam } from '../teams/personal-team.ts'
import { ensureAdmin } from './seed.ts'

const t = useTestApp()

const login = (email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })

const setDisabled = (id: string, disabled: boolean) =>
  t.database.sql.query('update users set disabled = $2 where id = $1', [id, disabled])

async function usersWithEmail(email: string) {
  const { rows } = await t.database.sql.query<{ id: string; role: string }>(
    'select id, role from users where email = $1',
    [email],
  )
  return rows
}

describe('ensureAdmin (the seed command)', () => {
  it('creates an admin with the given password once, then reports it exists', async () => {
    const email = given.email('seed')
    const first = await ensureAdmin(t.database.db, { email, password: given.password }, createPersonalTeam)
    expect(first).toEqual({ outcome: 'created', userId: expect.any(String) })
    const again = await ensureAdmin(t.database.db, { email: ` ${email.toUpperCase()} `, password: 'ignored now' })
    expect(again).toEqual({ outcome: 'exists', userId: first.userId })
    expect(await usersWithEmail(email)).toEqual([{ id: first.userId, role: 'admin' }])

    const res = await login(email, given.password)
    expect(res.statusCode).toBe(200)
    expect(res.json().user).toMatchObject({ id: first.userId, role: 'admin' })
    const admin = bearer(res.json().accessToken)
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: admin })).statusCode).toBe(200)
    // the new admin got a personal team like any new user
    const teams = await t.app.inject({ method: 'GET', url: '/api/v1/teams', headers: admin })
    expect(teams.json().items).toHaveLength(1)
  })

  it('generates a strong password when none is given, and that password signs in', async () => {
    const email = given.email('generated')
    const result = await ensureAdmin(t.database.db, { email })
    expect(result.outcome).toBe('created')
    const password = (result as { generatedPassword?: string }).generatedPassword
    expect(password).toMatch(/^[A-Za-z0-9_-]{24,}$/)
    expect((await login(email, password!)).statusCode).toBe(200)
    const second = await ensureAdmin(t.database.db, { email })
    expect(second).toEqual({ outcome: 'exists', userId: result.userId })
  })

  it('promotes an existing user of that email, keeping their password', async () => {
    const user = await given.user(t.app)
    const result = await ensureAdmin(t.database.db, { email: user.email, password: 'not used for an existing user' })
    expect(result).toEqual({ outcome: 'exists', userId: user.id, promoted: true })
    expect(await usersWithEmail(user.email)).toEqual([{ id: user.id, role: 'admin' }])
    const res = await login(user.email, user.password)
    expect(res.json().user.role).toBe('admin')
  })

  it('creates one admin when two instances seed at the same time', async () => {
    const email = given.email('race')
    const results = await Promise.all([
      ensureAdmin(t.database.db, { email, password: given.password }),
      ensureAdmin(t.database.db, { email, password: given.password }),
    ])
    expect(results.map((r) => r.outcome).sort()).toEqual(['created', 'exists'])
    expect(await usersWithEmail(email)).toHaveLength(1)
  })

  it('re-enables a disabled admin when asked (the seed command), and then they can sign in', async () => {
    const email = given.email('locked-out')
    const { userId } = await ensureAdmin(t.database.db, { email, password: given.password })
    await setDisabled(userId, true)
    expect((await login(email, given.password)).statusCode).toBe(401)
    const result = await ensureAdmin(t.database.db, { email, reenable: true })
    expect(result).toEqual({ outcome: 'exists', userId, reenabled: true })
    const res = await login(email, given.password)
    expect(res.statusCode).toBe(200)
    expect(res.json().user.role).toBe('admin')
    expect(await ensureAdmin(t.database.db, { email, reenable: true })).toEqual({ outcome: 'exists', userId })
  })

  it('re-enables and promotes a disabled user of that email in one go', async () => {
    const user = await given.user(t.app)
    await setDisabled(user.id, true)
    const result = await ensureAdmin(t.database.db, { email: user.email, reenable: true })
    expect(result).toEqual({ outcome: 'exists', userId: user.id, promoted: true, reenabled: true })
    expect((await login(user.email, user.password)).json().user).toMatchObject({ id: user.id, role: 'admin' })
  })

  it('leaves a disabled admin disabled at server start (no reenable), and says so', async () => {
    const email = given.email('disabled-on-purpose')
    const { userId } = await ensureAdmin(t.database.db, { email, password: given.password })
    await setDisabled(userId, true)
    expect(await ensureAdmin(t.database.db, { email, password: given.password })).toEqual({
      outcome: 'exists',
      userId,
      disabled: true,
    })
    expect((await login(email, given.password)).statusCode).toBe(401)
  })
})
