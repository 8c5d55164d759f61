import { createHash, randomBytes } from 'node:crypto'
import { buffer } from 'node:stream/consumers'
import { describe, expect, it } from 'vitest'
import { eventually } from '../../../test/eventually.ts'
import { pngBytes, STORAGE_MODES, sendFile, storedKeys, useFilesApp } from '../../../test/files-app.ts'
import { given } from '../../../test/given.ts'
import { bearer, http } from '../../../test/http.ts'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const MAX = 200_000

describe.each(STORAGE_MODES)('attachments on %s storage', (mode) => {
  const t = useFilesApp(mode, { MAX_UPLOAD_BYTES: String(MAX) })
  const { del } = http(t)

  /** The bytes of a download: streamed by the API, or fetched from the presigned URL it redirects to. */
  async function download(user: { auth: Record<string, string> }, id: string) {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${id}/content`, headers: user.auth })
    // on S3, only a type its bytes prove is downloaded from the store (files.download.ts)
    if (mode === 'local' || res.statusCode === 200) {
      expect(res.statusCode).toBe(200)
      return { res, bytes: res.rawPayload }
    }
    expect(res.statusCode).toBe(302)
    const fetched = await fetch(String(res.headers.location))
    expect(fetched.status).toBe(200)
    return { res, bytes: Buffer.from(await fetched.arrayBuffer()), fetched }
  }

  const rowCount = async (id: string) =>
    (await t.database.sql.query<{ n: number }>('select count(*)::int as n from attachments where id = $1', [id]))
      .rows[0]!.n

  it('uploads and downloads the same bytes, with their SHA-256 and safe headers', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const bytes = randomBytes(150_000)
    const res = await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, 'data.bin', bytes)
    expect(res.statusCode, res.body).toBe(201)
    const attachment = res.json()
    expect(attachment).toMatchObject({
      taskId: task.id,
      filename: 'data.bin',
      contentType: 'application/octet-stream',
      size: bytes.length,
      sha256: sha(bytes),
      uploadedBy: user.id,
      extraction: { status: 'skipped', error: null },
    })
    expect(res.headers.location).toBe(`/api/v1/attachments/${attachment.id}`)
    expect(res.headers.etag).toBe(`"${attachment.version}"`)

    const { res: dl, bytes: got, fetched } = await download(user, attachment.id)
    expect(sha(got)).toBe(sha(bytes))
    expect(dl.headers['x-content-type-options']).toBe('nosniff')
    const disposition = fetched ? fetched.headers.get('content-disposition') : dl.headers['content-disposition']
    expect(disposition).toMatch(/^attachment; filename="data.bin"/)

    const one = await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${attachment.id}`, headers: user.auth })
    expect(one.json()).toEqual(attachment)
    const again = await t.app.inject({
      method: 'GET',
      url: `/api/v1/attachments/${attachment.id}`,
      headers: { ...user.auth, 'if-none-match': String(one.headers.etag) },
    })
    expect(again.statusCode).toBe(304)
    const list = await t.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/attachments`, headers: user.auth })
    expect(list.json()).toEqual({ items: [attachment], nextCursor: null })
  })

  it('takes the content type from the bytes, not the name or the client (a PNG named .pdf is a PNG)', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const res = await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, 'invoice.pdf', pngBytes(), {
      contentType: 'application/pdf',
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ contentType: 'image/png', extraction: { status: 'skipped' } })
    if (mode === 'local') {
      const dl = await t.app.inject({
        method: 'GET',
        url: `/api/v1/attachments/${res.json().id}/content`,
        headers: user.auth,
      })
      expect(dl.headers['content-type']).toBe('image/png')
    }
  })

  it('refuses a file over MAX_UPLOAD_BYTES with 413 and leaves no row and no object', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const before = await storedKeys(t.storage)
    const res = await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, 'big.bin', randomBytes(MAX + 1))
    expect(res.statusCode).toBe(413)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    const list = await t.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/attachments`, headers: user.auth })
    expect(list.json().items).toEqual([])
    expect(await storedKeys(t.storage)).toEqual(before)
    // exactly the limit is fine
    const ok = await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, 'max.bin', randomBytes(MAX))
    expect(ok.statusCode).toBe(201)
  })

  it('answers 400 without a file field and 415 for a non-multipart body', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const url = `/api/v1/tasks/${task.id}/attachments`
    const wrongField = await t.app.inject({
      method: 'POST',
      url,
      headers: { ...user.auth, 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x\r\nContent-Disposition: form-data; name="other"; filename="a.txt"\r\n\r\nhi\r\n--x--\r\n',
    })
    expect(wrongField.statusCode).toBe(400)
    const json = await t.app.inject({ method: 'POST', url, headers: user.auth, payload: { file: 'x' } })
    expect(json.statusCode).toBe(415)
  })

  it('replaces the content, honours If-Match, and removes the old object', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const first = (
      await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, 'v1.txt', Buffer.from('first'))
    ).json()
    const [oldKey] = (
      await t.database.sql.query<{ k: string }>('select storage_key as k from attachments where id = $1', [first.id])
    ).rows.map((r) => r.k)
    const url = `/api/v1/attachments/${first.id}/content`
    const stale = await sendFile(t.app, user, url, 'v2.txt', Buffer.from('second'), {
      method: 'PUT',
      headers: { 'if-match': '"99"' },
    })
    expect(stale.statusCode).toBe(412)
    const bytes = Buffer.from('second version')
    const res = await sendFile(t.app, user, url, 'v2.txt', bytes, {
      method: 'PUT',
      headers: { 'if-match': `"${first.version}"` },
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      id: first.id,
      filename: 'v2.txt',
      sha256: sha(bytes),
      version: first.version + 1,
    })
    expect((await download(user, first.id)).bytes.toString()).toBe('second version')
    await eventually(async () => !(await t.storage.exists(oldKey!)))
    const { rows } = await t.database.sql.query<{ action: string }>(
      `select action from activity where entity_id = $1 order by id`,
      [first.id],
    )
    expect(rows.map((r) => r.action)).toEqual(['attachment.created', 'attachment.updated'])
  })

  it('deletes the row at once and the object in the background', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const a = (await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, 'x.txt', Buffer.from('x'))).json()
    const key = (
      await t.database.sql.query<{ k: string }>('select storage_key as k from attachments where id = $1', [a.id])
    ).rows[0]!.k
    const stale = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/attachments/${a.id}`,
      headers: { ...user.auth, 'if-match': '"42"' },
    })
    expect(stale.statusCode).toBe(412)
    const res = await t.app.inject({ method: 'DELETE', url: `/api/v1/attachments/${a.id}`, headers: user.auth })
    expect(res.statusCode).toBe(204)
    expect(await rowCount(a.id)).toBe(0)
    await eventually(async () => !(await t.storage.exists(key)))
    const gone = await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${a.id}`, headers: user.auth })
    expect(gone.statusCode).toBe(404)
    const { rows } = await t.database.sql.query<{ action: string; task_id: string }>(
      `select action, task_id from activity where entity_id = $1 order by id`,
      [a.id],
    )
    expect(rows).toEqual([
      { action: 'attachment.created', task_id: task.id },
      { action: 'attachment.deleted', task_id: task.id },
    ])
  })

  it('answers 404 on every attachment route to someone outside the team', async () => {
    const owner = await given.user(t.app)
    const stranger = await given.user(t.app)
    const task = await given.task(t.app, owner)
    const a = (await sendFile(t.app, owner, `/api/v1/tasks/${task.id}/attachments`, 'x.txt', Buffer.from('x'))).json()
    const file = (method: 'POST' | 'PUT', url: string) =>
      sendFile(t.app, stranger, url, 'y.txt', Buffer.from('y'), { method })
    const calls = [
      () => file('POST', `/api/v1/tasks/${task.id}/attachments`),
      () => t.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/attachments`, headers: stranger.auth }),
      () => t.app.inject({ method: 'GET', url: `/api/v1/attachments/${a.id}`, headers: stranger.auth }),
      () => t.app.inject({ method: 'DELETE', url: `/api/v1/attachments/${a.id}`, headers: stranger.auth }),
      () => t.app.inject({ method: 'GET', url: `/api/v1/attachments/${a.id}/content`, headers: stranger.auth }),
      () => file('PUT', `/api/v1/attachments/${a.id}/content`),
      () => t.app.inject({ method: 'GET', url: `/api/v1/attachments/${a.id}/text`, headers: stranger.auth }),
      () => t.app.inject({ method: 'POST', url: `/api/v1/attachments/${a.id}/extract`, headers: stranger.auth }),
    ]
    for (const call of calls) {
      const res = await call()
      expect(res.statusCode, res.body).toBe(404)
    }
    expect(await rowCount(a.id)).toBe(1)
    const list = await t.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/attachments`, headers: owner.auth })
    expect(list.json().items).toHaveLength(1)
  })

  it('lets viewers read, members upload, and only the uploader or an admin replace or delete', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const project = await t.app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: owner.auth,
      payload: { teamId: team.id, name: 'Files' },
    })
    expect(project.statusCode, project.body).toBe(201)
    const viewer = await given.member(t.app, team, owner, 'viewer')
    const member = await given.member(t.app, team, owner, 'member')
    const other = await given.member(t.app, team, owner, 'member')
    const admin = await given.member(t.app, team, owner, 'admin')
    const task = await given.task(t.app, owner, { projectId: project.json().id })
    const url = `/api/v1/tasks/${task.id}/attachments`

    expect((await sendFile(t.app, viewer, url, 'v.txt', Buffer.from('v'))).statusCode).toBe(403)
    const a = (await sendFile(t.app, member, url, 'm.txt', Buffer.from('m'))).json()
    const b = (await sendFile(t.app, member, url, 'n.txt', Buffer.from('n'))).json()
    const viewed = await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${a.id}`, headers: viewer.auth })
    expect(viewed.statusCode).toBe(200)
    const content = `/api/v1/attachments/${a.id}/content`
    expect((await sendFile(t.app, other, content, 'z.txt', Buffer.from('z'), { method: 'PUT' })).statusCode).toBe(403)
    expect((await del(`/api/v1/attachments/${a.id}`, viewer.auth)).statusCode).toBe(403)
    expect((await del(`/api/v1/attachments/${a.id}`, other.auth)).statusCode).toBe(403)
    expect((await del(`/api/v1/attachments/${a.id}`, member.auth)).statusCode).toBe(204)
    expect((await del(`/api/v1/attachments/${b.id}`, admin.auth)).statusCode).toBe(204)
  })

  it('needs files:read to read and files:write to upload with a personal access token', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const readOnly = { auth: bearer(await given.token(t.app, user, ['files:read'])) }
    const tasksOnly = { auth: bearer(await given.token(t.app, user, ['tasks:read', 'tasks:write'])) }
    const url = `/api/v1/tasks/${task.id}/attachments`
    expect((await sendFile(t.app, readOnly, url, 'a.txt', Buffer.from('a'))).statusCode).toBe(403)
    expect((await sendFile(t.app, tasksOnly, url, 'a.txt', Buffer.from('a'))).statusCode).toBe(403)
    expect((await t.app.inject({ method: 'GET', url, headers: readOnly.auth })).statusCode).toBe(200)
    expect((await t.app.inject({ method: 'GET', url, headers: tasksOnly.auth })).statusCode).toBe(403)
  })

  it('reports storage in /ready', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/ready' })
    expect(res.json().checks.storage).toBe('ok')
  })

  it('streams downloads without reading them whole (local)', async () => {
    if (mode !== 'local') return
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const a = (
      await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, 'notes.txt', Buffer.from('hello'))
    ).json()
    const key = (
      await t.database.sql.query<{ k: string }>('select storage_key as k from attachments where id = $1', [a.id])
    ).rows[0]!.k
    expect((await buffer(await t.storage.get(key))).toString()).toBe('hello')
    expect(a.contentType).toBe('text/plain; charset=utf-8')
  })
})
