import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { webhooks } from '../../db/tables/webhooks.ts'

const PUBLIC = 'http://93.184.216.34/hook'

describe('webhooks API', () => {
  const t = useTestApp()

  it('creates a webhook for a team admin and shows the generated secret only then', async () => {
    const { team, admin } = await given.teamWithRoles(t.app)
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/teams/${team.id}/webhooks`,
      headers: admin.auth,
      payload: { url: PUBLIC, events: ['task.created', 'task.updated'] },
    })
    expect(res.statusCode, res.body).toBe(201)
    const hook = res.json()
    expect(hook).toMatchObject({ url: PUBLIC, events: ['task.created', 'task.updated'], active: true, teamId: team.id })
    expect(hook.secret).toMatch(/^whsec_.{20,}/)
    expect(res.headers.location).toBe(`/api/v1/webhooks/${hook.id}`)
    expect(res.headers.etag).toBe('"1"')

    const got = await t.app.inject({ method: 'GET', url: `/api/v1/webhooks/${hook.id}`, headers: admin.auth })
    expect(got.statusCode).toBe(200)
    expect(got.json()).not.toHaveProperty('secret')
    const list = await t.app.inject({ method: 'GET', url: `/api/v1/teams/${team.id}/webhooks`, headers: admin.auth })
    expect(list.json()).toMatchObject({ items: [{ id: hook.id }], nextCursor: null })
    expect(list.body).not.toContain(hook.secret)
  })

  it('keeps a secret the caller chose', async () => {
    const { team, owner } = await given.teamWithRoles(t.app)
    const hook = await given.webhook(t.app, owner, team.id, { url: PUBLIC, secret: 'my-own-secret-of-some-length' })
    expect(hook.secret).toBe('my-own-secret-of-some-length')
  })

  it('lets only team admins and owners manage webhooks; others get 403, outsiders 404', async () => {
    const { team, owner, member, viewer, outsider } = await given.teamWithRoles(t.app)
    const hook = await given.webhook(t.app, owner, team.id, { url: PUBLIC })
    for (const [user, code] of [
      [member, 403],
      [viewer, 403],
      [outsider, 404],
    ] as const) {
      const create = await t.app.inject({
        method: 'POST',
        url: `/api/v1/teams/${team.id}/webhooks`,
        headers: user.auth,
        payload: { url: PUBLIC, events: ['*'] },
      })
      expect(create.statusCode).toBe(code)
      for (const [method, url] of [
        ['GET', `/api/v1/webhooks/${hook.id}`],
        ['PATCH', `/api/v1/webhooks/${hook.id}`],
        ['DELETE', `/api/v1/webhooks/${hook.id}`],
        ['GET', `/api/v1/webhooks/${hook.id}/deliveries`],
        ['POST', `/api/v1/webhooks/${hook.id}/ping`],
      ] as const) {
        const res = await t.app.inject({
          method,
          url,
          headers: user.auth,
          ...(method === 'PATCH' ? { payload: { active: false } } : {}),
        })
        expect(res.statusCode, `${method} ${url}`).toBe(code)
      }
    }
    const [row] = await t.database.db.select().from(webhooks).where(eq(webhooks.id, hook.id))
    expect(row).toMatchObject({ active: true })
  })

  it('updates url, events and active with merge-patch rules, and deletes', async () => {
    const { team, admin } = await given.teamWithRoles(t.app)
    const hook = await given.webhook(t.app, admin, team.id, { url: PUBLIC, events: ['task.created'] })
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/webhooks/${hook.id}`,
      headers: admin.auth,
      payload: { active: false },
    })
    expect(patch.statusCode).toBe(200)
    expect(patch.json()).toMatchObject({ url: PUBLIC, events: ['task.created'], active: false, version: 2 })
    expect(patch.headers.etag).toBe('"2"')
    const notModified = await t.app.inject({
      method: 'GET',
      url: `/api/v1/webhooks/${hook.id}`,
      headers: { ...admin.auth, 'if-none-match': '"2"' },
    })
    expect(notModified.statusCode).toBe(304)
    const lost = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/webhooks/${hook.id}`,
      headers: { ...admin.auth, 'if-match': '"1"' },
      payload: { active: true },
    })
    expect(lost.statusCode).toBe(412)
    const again = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/webhooks/${hook.id}`,
      headers: admin.auth,
      payload: { events: ['*'], url: 'https://93.184.216.35/other' },
    })
    expect(again.json()).toMatchObject({ url: 'https://93.184.216.35/other', events: ['*'], active: false, version: 3 })
    const stale = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/webhooks/${hook.id}`,
      headers: { ...admin.auth, 'if-match': patch.headers.etag as string },
    })
    expect(stale.statusCode).toBe(412)
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/webhooks/${hook.id}`,
      headers: { ...admin.auth, 'if-match': again.headers.etag as string },
    })
    expect(del.statusCode).toBe(204)
    const gone = await t.app.inject({ method: 'GET', url: `/api/v1/webhooks/${hook.id}`, headers: admin.auth })
    expect(gone.statusCode).toBe(404)
  })

  it('refuses loopback, private, link-local and metadata URLs in every spelling with 400, storing nothing', async () => {
    const { team, admin } = await given.teamWithRoles(t.app)
    for (const url of [
      'http://127.0.0.1/hook',
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://0x7f.1/',
      'http://127.1/',
      'http://localhost:3000/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://100.64.0.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[fd00::1]/',
      'ftp://93.184.216.34/',
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/teams/${team.id}/webhooks`,
        headers: admin.auth,
        payload: { url, events: ['*'] },
      })
      expect(res.statusCode, url).toBe(400)
      expect(res.json().errors[0].path).toBe('body.url')
    }
    expect(await t.database.db.select().from(webhooks).where(eq(webhooks.teamId, team.id))).toEqual([])
  })

  it('refuses a private URL on update too', async () => {
    const { team, admin } = await given.teamWithRoles(t.app)
    const hook = await given.webhook(t.app, admin, team.id, { url: PUBLIC })
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/webhooks/${hook.id}`,
      headers: admin.auth,
      payload: { url: 'http://192.168.0.1/' },
    })
    expect(res.statusCode).toBe(400)
  })

  it('validates the event filter and rejects unknown fields', async () => {
    const { team, admin } = await given.teamWithRoles(t.app)
    for (const payload of [
      { url: PUBLIC, events: [] },
      { url: PUBLIC, events: ['Task Created'] },
      { url: PUBLIC, events: ['*'], active: false, teamId: team.id },
      { url: PUBLIC, events: ['*'], secret: 'short' },
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/teams/${team.id}/webhooks`,
        headers: admin.auth,
        payload,
      })
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
    }
  })

  it('refuses an event the catalog does not have, on create and on update, naming the field', async () => {
    const { team, admin } = await given.teamWithRoles(t.app)
    const create = await t.app.inject({
      method: 'POST',
      url: `/api/v1/teams/${team.id}/webhooks`,
      headers: admin.auth,
      payload: { url: PUBLIC, events: ['task.created', 'task.craeted'] },
    })
    expect(create.statusCode, create.body).toBe(400)
    expect(create.json().errors).toEqual([
      { path: 'body.events.1', message: expect.stringContaining('unknown event "task.craeted"') },
    ])
    expect(await t.database.db.select().from(webhooks).where(eq(webhooks.teamId, team.id))).toEqual([])

    const hook = await given.webhook(t.app, admin, team.id, { url: PUBLIC, events: ['task.created'] })
    const update = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/webhooks/${hook.id}`,
      headers: admin.auth,
      payload: { events: ['comment.creatd'] },
    })
    expect(update.statusCode, update.body).toBe(400)
    expect(update.json().errors[0].path).toBe('body.events.0')
    const [row] = await t.database.db.select().from(webhooks).where(eq(webhooks.id, hook.id))
    expect(row!.events).toEqual(['task.created'])
  })

  it('lists the event catalog as an enum in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const resolve = (s: { $ref?: string }) => (s.$ref ? doc.components.schemas[s.$ref.split('/').at(-1)!] : s)
    const body = resolve(doc.paths['/api/v1/teams/{id}/webhooks'].post.requestBody.content['application/json'].schema)
    const events: string[] = resolve(body.properties.events.items).enum
    expect(events).toEqual(expect.arrayContaining(['*', 'task.created', 'note.file_set', 'member.removed']))
    expect(events).not.toContain('task.craeted')
  })
})
