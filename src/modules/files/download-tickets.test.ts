import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { pngBytes, STORAGE_MODES, sendFile, useFilesApp } from '../../../test/files-app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { bearer, http } from '../../../test/http.ts'
import { eventJobs, SWEEP_TICKETS_JOB } from '../events/events.jobs.ts'

const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex')

describe.each(STORAGE_MODES)('download links with a ticket, on %s storage', (mode) => {
  const t = useFilesApp(mode)
  const { get, post } = http(t)

  const upload = async (user: GivenUser, filename: string, bytes: Buffer) => {
    const task = await given.task(t.app, user)
    const res = await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, filename, bytes)
    expect(res.statusCode, res.body).toBe(201)
    return res.json() as { id: string }
  }
  const ticketFor = (headers: Record<string, string>, path: string) =>
    post('/api/v1/download-tickets', headers, { path })
  const link = async (user: GivenUser, path: string) => {
    const res = await ticketFor(user.auth, path)
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json() as { ticket: string; url: string; expiresIn: number }
    expect(body.url).toBe(`${path}?ticket=${body.ticket}`)
    expect(body.expiresIn).toBe(60)
    return body.url
  }
  // what a browser following the link sends: no Authorization header
  const follow = (url: string, headers: Record<string, string> = {}) => get(url, headers)

  it('opens its one download once, without an Authorization header (on S3 a file of a proven type redirects)', async () => {
    const user = await given.user(t.app)
    const text = Buffer.from('quarterly figures\n')
    const { id } = await upload(user, 'figures.txt', text)
    const url = await link(user, `/api/v1/attachments/${id}/content`)

    const res = await follow(url)
    expect(res.statusCode, res.body).toBe(200)
    expect(sha(res.rawPayload)).toBe(sha(text))
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="figures.txt"/)
    const again = await follow(url)
    expect(again.statusCode).toBe(401)
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(again.json().detail).toMatch(/expired or was already used/)

    const png = pngBytes()
    const shot = await upload(user, 'shot.png', png)
    const shown = await follow(await link(user, `/api/v1/attachments/${shot.id}/content`))
    if (mode === 'local') expect(sha(shown.rawPayload)).toBe(sha(png))
    else {
      expect(shown.statusCode).toBe(302)
      const fetched = await fetch(String(shown.headers.location))
      expect(sha(new Uint8Array(await fetched.arrayBuffer()))).toBe(sha(png))
    }
  })

  it("opens a note's file and finished exports the same way", async () => {
    const user = await given.user(t.app)
    const note = (await post('/api/v1/notes', user.auth, { title: 'n' })).json() as { id: string }
    const bytes = Buffer.from('a note of mine\n')
    expect(
      (await sendFile(t.app, user, `/api/v1/notes/${note.id}/file`, 'n.txt', bytes, { method: 'PUT' })).statusCode,
    ).toBe(200)
    const res = await follow(await link(user, `/api/v1/notes/${note.id}/file`))
    expect(res.statusCode, res.body).toBe(200)
    expect(res.rawPayload.toString()).toBe('a note of mine\n')
    // the route of an export's file takes tickets too (its access and state are checked when followed)
    const missing = await follow(await link(user, '/api/v1/exports/00000000-0000-4000-8000-000000000000/download'))
    expect(missing.statusCode).toBe(404)
  })

  it('opens nothing but the path it was issued for, and only what its holder may see', async () => {
    const owner = await given.user(t.app)
    const stranger = await given.user(t.app)
    const mine = await upload(owner, 'a.txt', Buffer.from('a'))
    const other = await upload(owner, 'b.txt', Buffer.from('b'))

    const url = await link(owner, `/api/v1/attachments/${mine.id}/content`)
    const ticket = new URL(url, 'http://x').searchParams.get('ticket')!
    expect((await follow(`/api/v1/attachments/${other.id}/content?ticket=${ticket}`)).statusCode).toBe(401)
    // a ticket is no credential anywhere else: a route without `ticket` sees an anonymous caller
    const elsewhere = await follow(`/api/v1/tasks?ticket=${ticket}`)
    expect(elsewhere.statusCode).toBe(401)
    expect(elsewhere.json().detail).not.toMatch(/download link/)
    // the stranger's ticket for the owner's file finds nothing, as the stranger's own request would
    expect((await follow(await link(stranger, `/api/v1/attachments/${mine.id}/content`))).statusCode).toBe(404)
  })

  it('refuses a path that is not a download, and an expired ticket', async () => {
    const user = await given.user(t.app)
    for (const path of ['/api/v1/tasks', '/api/v1/attachments/x/content/more', '/health', 'attachments/x/content']) {
      const res = await ticketFor(user.auth, path)
      expect(res.statusCode, path).toBe(400)
      expect(res.json().errors[0].path).toBe('body.path')
    }
    expect((await ticketFor({}, '/api/v1/notes/x/file')).statusCode).toBe(401)

    const { id } = await upload(user, 'late.txt', Buffer.from('late'))
    const url = await link(user, `/api/v1/attachments/${id}/content`)
    await t.database.sql.query(
      `update event_tickets set expires_at = now() - interval '1 second' where path is not null`,
    )
    expect((await follow(url)).statusCode).toBe(401)
  })

  it("carries a token's scopes, dies with the session that took it, and is not spent when a bearer is sent", async () => {
    const user = await given.user(t.app)
    const { id } = await upload(user, 'f.txt', Buffer.from('f'))
    const path = `/api/v1/attachments/${id}/content`

    const tasksOnly = await given.token(t.app, user, ['tasks:read'])
    const scoped = await ticketFor(bearer(tasksOnly), path)
    expect(scoped.statusCode).toBe(200)
    expect((await follow(scoped.json().url)).statusCode).toBe(403)

    const url = await link(user, path)
    // with a bearer header the header decides and the ticket stays unspent
    expect((await follow(url, user.auth)).statusCode).toBe(200)
    const logout = await post('/api/v1/auth/logout', {}, { refreshToken: user.refreshToken })
    expect(logout.statusCode, logout.body).toBe(204)
    expect((await follow(url)).statusCode).toBe(401)
  })

  it('has its spent and expired tickets swept hourly', async () => {
    const user = await given.user(t.app)
    const { id } = await upload(user, 's.txt', Buffer.from('s'))
    await link(user, `/api/v1/attachments/${id}/content`)
    await link(user, `/api/v1/attachments/${id}/content`)
    const { rows } = await t.database.sql.query<{ token_hash: string }>(
      'select token_hash from event_tickets where user_id = $1',
      [user.id],
    )
    expect(rows).toHaveLength(2)
    await t.database.sql.query(
      `update event_tickets set expires_at = now() - interval '61 minutes' where token_hash = $1`,
      [rows[0]!.token_hash],
    )
    const sweep = eventJobs({ db: t.database.db }).find((j) => j.name === SWEEP_TICKETS_JOB)!
    expect(sweep.cron).toBe('23 * * * *')
    expect(await sweep.handle({} as never, {} as never)).toMatchObject({ removed: 1 })
    const left = await t.database.sql.query('select 1 from event_tickets where user_id = $1', [user.id])
    expect(left.rows).toHaveLength(1)
  })
})
