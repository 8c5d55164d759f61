import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { eventually } from '../../../test/eventually.ts'
import { pngBytes, STORAGE_MODES, sendFile, storedKeys, useFilesApp } from '../../../test/files-app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe.each(STORAGE_MODES)('notes on %s storage', (mode) => {
  const t = useFilesApp(mode, { MAX_UPLOAD_BYTES: '50000' })

  const { get, post, patch, put, del } = http(t)
  const createNote = async (user: GivenUser, payload: object) => {
    const res = await post('/api/v1/notes', user.auth, payload)
    expect(res.statusCode, res.body).toBe(201)
    return res.json()
  }
  /** A team with a project, its owner, and a member and viewer in it. */
  const givenSharedProject = async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const project = await post('/api/v1/projects', owner.auth, { teamId: team.id, name: 'Shared' })
    expect(project.statusCode, project.body).toBe(201)
    const member = await given.member(t.app, team, owner, 'member')
    const viewer = await given.member(t.app, team, owner, 'viewer')
    return { owner, team, projectId: project.json().id as string, member, viewer }
  }

  it('creates, reads, edits with If-Match and deletes a personal note', async () => {
    const user = await given.user(t.app)
    const res = await post('/api/v1/notes', user.auth, { title: 'Ideas', body: 'first draft' })
    expect(res.statusCode).toBe(201)
    const note = res.json()
    expect(note).toMatchObject({ title: 'Ideas', body: 'first draft', projectId: null, file: null, version: 1 })
    expect(res.headers.location).toBe(`/api/v1/notes/${note.id}`)
    const got = await get(`/api/v1/notes/${note.id}`, user.auth)
    expect(got.json()).toEqual(note)
    expect((await get(`/api/v1/notes/${note.id}`, { ...user.auth, 'if-none-match': '"1"' })).statusCode).toBe(304)

    expect(
      (await patch(`/api/v1/notes/${note.id}`, { ...user.auth, 'if-match': '"7"' }, { body: 'x' })).statusCode,
    ).toBe(412)
    const patched = await patch(
      `/api/v1/notes/${note.id}`,
      { ...user.auth, 'if-match': '"1"' },
      { body: 'second draft' },
    )
    expect(patched.json()).toMatchObject({ title: 'Ideas', body: 'second draft', version: 2 })
    expect(patched.headers.etag).toBe('"2"')
    const titled = await put(`/api/v1/notes/${note.id}/title`, user.auth, { title: 'Better ideas' })
    expect(titled.statusCode).toBe(200)
    expect(titled.json()).toMatchObject({ title: 'Better ideas', body: 'second draft', version: 3 })
    expect((await put(`/api/v1/notes/${note.id}/title`, user.auth, { title: '' })).statusCode).toBe(400)
    expect((await patch(`/api/v1/notes/${note.id}`, user.auth, { ownerId: user.id })).statusCode).toBe(400)

    expect((await del(`/api/v1/notes/${note.id}`, user.auth)).statusCode).toBe(204)
    expect((await get(`/api/v1/notes/${note.id}`, user.auth)).statusCode).toBe(404)
    const { rows } = await t.database.sql.query<{ action: string }>(
      'select action from activity where entity_id = $1 order by id',
      [note.id],
    )
    expect(rows.map((r) => r.action)).toEqual(['note.created', 'note.updated', 'note.updated', 'note.deleted'])
  })

  it('attaches, downloads, replaces and removes a file', async () => {
    const user = await given.user(t.app)
    const note = await createNote(user, { title: 'With a file' })
    const png = pngBytes()
    const put = await sendFile(t.app, user, `/api/v1/notes/${note.id}/file`, 'photo.pdf', png, { method: 'PUT' })
    expect(put.statusCode, put.body).toBe(200)
    expect(put.json().file).toEqual({
      filename: 'photo.pdf',
      contentType: 'image/png',
      size: png.length,
      sha256: sha(png),
      url: `/api/v1/notes/${note.id}/file`,
    })
    const dl = await get(`/api/v1/notes/${note.id}/file`, user.auth)
    expect(dl.headers['x-content-type-options']).toBe('nosniff')
    if (mode === 'local') {
      expect(dl.statusCode).toBe(200)
      expect(sha(dl.rawPayload)).toBe(sha(png))
      expect(dl.headers['content-disposition']).toMatch(/^attachment; filename="photo.pdf"/)
    } else {
      expect(dl.statusCode).toBe(302)
      const fetched = await fetch(String(dl.headers.location))
      expect(sha(Buffer.from(await fetched.arrayBuffer()))).toBe(sha(png))
    }
    const keysWithFirst = await storedKeys(t.storage)

    const replaced = await sendFile(t.app, user, `/api/v1/notes/${note.id}/file`, 'b.txt', Buffer.from('text'), {
      method: 'PUT',
      headers: { 'if-match': `"${put.json().version}"` },
    })
    expect(replaced.json().file).toMatchObject({ filename: 'b.txt', contentType: 'text/plain; charset=utf-8' })
    // the first object goes once the change commits
    await eventually(async () => (await storedKeys(t.storage)).length === keysWithFirst.length)

    const tooBig = await sendFile(t.app, user, `/api/v1/notes/${note.id}/file`, 'big.bin', Buffer.alloc(50_001), {
      method: 'PUT',
    })
    expect(tooBig.statusCode).toBe(413)
    expect((await get(`/api/v1/notes/${note.id}`, user.auth)).json().file.filename).toBe('b.txt')

    expect((await del(`/api/v1/notes/${note.id}/file`, user.auth)).statusCode).toBe(204)
    expect((await get(`/api/v1/notes/${note.id}`, user.auth)).json().file).toBeNull()
    expect((await get(`/api/v1/notes/${note.id}/file`, user.auth)).statusCode).toBe(404)
    expect((await del(`/api/v1/notes/${note.id}/file`, user.auth)).statusCode).toBe(404)
  })

  it('shares a note with a project: the team reads it, only the owner changes it (admins may unshare or delete)', async () => {
    const { owner, projectId, member, viewer } = await givenSharedProject()
    const note = await createNote(member, { title: 'Meeting notes', projectId })
    expect(note.projectId).toBe(projectId)
    for (const reader of [owner, viewer]) {
      expect((await get(`/api/v1/notes/${note.id}`, reader.auth)).statusCode).toBe(200)
      const list = await get(`/api/v1/notes?projectId=${projectId}`, reader.auth)
      expect(list.json().items.map((n: { id: string }) => n.id)).toEqual([note.id])
      expect((await patch(`/api/v1/notes/${note.id}`, reader.auth, { body: 'mine now' })).statusCode).toBe(403)
    }
    // the team owner may delete it (notes.former-member.test.ts); a viewer may not
    expect((await del(`/api/v1/notes/${note.id}`, viewer.auth)).statusCode).toBe(403)
    // a personal note stays personal
    const personal = await createNote(member, { title: 'Private' })
    expect((await get(`/api/v1/notes/${personal.id}`, owner.auth)).statusCode).toBe(404)
    const mine = await get('/api/v1/notes', member.auth)
    expect(mine.json().items.map((n: { id: string }) => n.id)).toEqual([personal.id, note.id])

    // unsharing hides it from the team again
    expect((await patch(`/api/v1/notes/${note.id}`, member.auth, { projectId: null })).json().projectId).toBeNull()
    expect((await get(`/api/v1/notes/${note.id}`, viewer.auth)).statusCode).toBe(404)
  })

  it('refuses to share with a project the caller is not a member of (400 naming the field)', async () => {
    const { projectId, viewer } = await givenSharedProject()
    const stranger = await given.user(t.app)
    for (const user of [stranger, viewer]) {
      const res = await post('/api/v1/notes', user.auth, { title: 'x', projectId })
      expect(res.statusCode).toBe(400)
      expect(res.json().errors[0].path).toBe('body.projectId')
    }
  })

  it('answers 404 on every note route to someone who cannot see the note', async () => {
    const { member, projectId } = await givenSharedProject()
    const stranger = await given.user(t.app)
    for (const note of [
      await createNote(member, { title: 'Personal' }),
      await createNote(member, { title: 'Shared', projectId }),
    ]) {
      const id = note.id
      const responses = [
        await get(`/api/v1/notes/${id}`, stranger.auth),
        await patch(`/api/v1/notes/${id}`, stranger.auth, { title: 'x' }),
        await put(`/api/v1/notes/${id}/title`, stranger.auth, { title: 'x' }),
        await del(`/api/v1/notes/${id}`, stranger.auth),
        await get(`/api/v1/notes/${id}/file`, stranger.auth),
        await sendFile(t.app, stranger, `/api/v1/notes/${id}/file`, 'x.txt', Buffer.from('x'), { method: 'PUT' }),
        await del(`/api/v1/notes/${id}/file`, stranger.auth),
      ]
      expect(responses.map((r) => r.statusCode)).toEqual([404, 404, 404, 404, 404, 404, 404])
      expect((await get(`/api/v1/notes/${id}`, member.auth)).json().title).toBe(note.title)
    }
    expect((await get('/api/v1/notes', stranger.auth)).json().items).toEqual([])
    // a project of a team the stranger is not in: 404, as API.md asks of a filter naming an invisible container
    expect((await get(`/api/v1/notes?projectId=${projectId}`, stranger.auth)).statusCode).toBe(404)
  })
})
