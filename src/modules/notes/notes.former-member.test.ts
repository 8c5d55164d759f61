import { describe, expect, it } from 'vitest'
import { sendFile, useFilesApp } from '../../../test/files-app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'

const t = useFilesApp('local')

const { get, patch, put, del } = http(t)

/** A team (owner, an admin, a member) with a project, where the member shares a note with a file. */
async function sharedNote() {
  const owner = await given.user(t.app, { name: 'Owner' })
  const team = await given.team(t.app, owner)
  const project = await given.project(t.app, team, owner)
  const admin = await given.member(t.app, team, owner, 'admin')
  const author = await given.member(t.app, team, owner, 'member')
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/notes',
    headers: author.auth,
    payload: { title: 'Runbook', body: 'v1', projectId: project.id },
  })
  expect(res.statusCode, res.body).toBe(201)
  const id: string = res.json().id
  const file = await sendFile(t.app, author, `/api/v1/notes/${id}/file`, 'runbook.txt', Buffer.from('original'), {
    method: 'PUT',
  })
  expect(file.statusCode, file.body).toBe(200)
  return { owner, admin, author, team, project, id }
}

const leave = async (w: Awaited<ReturnType<typeof sharedNote>>, by: GivenUser) => {
  const res = await del(`/api/v1/teams/${w.team.id}/members/${w.author.id}`, by.auth)
  expect(res.statusCode, res.body).toBe(204)
}

const noteEntries = async (noteId: string) =>
  (
    await t.database.sql.query<{ action: string; actor_id: string; team_id: string | null }>(
      'select action, actor_id, team_id from activity where entity_id = $1 order by id',
      [noteId],
    )
  ).rows

describe('a note shared with a team its author is no longer in', () => {
  for (const how of ['removed by an admin', 'leaving on their own'] as const) {
    it(`refuses every write of the author once ${how} (403), and keeps the note as the team had it`, async () => {
      const w = await sharedNote()
      await leave(w, how === 'removed by an admin' ? w.admin : w.author)
      const before = (await get(`/api/v1/notes/${w.id}`, w.owner.auth)).json()
      const entries = (await noteEntries(w.id)).length

      const writes = [
        await patch(`/api/v1/notes/${w.id}`, w.author.auth, { body: 'rewritten after leaving' }),
        await patch(`/api/v1/notes/${w.id}`, w.author.auth, { projectId: null }),
        await put(`/api/v1/notes/${w.id}/title`, w.author.auth, { title: 'Mine' }),
        await sendFile(t.app, w.author, `/api/v1/notes/${w.id}/file`, 'x.txt', Buffer.from('replaced'), {
          method: 'PUT',
        }),
        await del(`/api/v1/notes/${w.id}/file`, w.author.auth),
        await del(`/api/v1/notes/${w.id}`, w.author.auth),
      ]
      expect(writes.map((r) => r.statusCode)).toEqual([403, 403, 403, 403, 403, 403])
      expect(writes[0]!.json().detail).toMatch(/no longer a member/)

      // the team still reads the note and the file as they were; nothing was logged under a non-member
      expect((await get(`/api/v1/notes/${w.id}`, w.owner.auth)).json()).toEqual(before)
      expect((await get(`/api/v1/notes/${w.id}/file`, w.owner.auth)).body).toBe('original')
      expect((await noteEntries(w.id)).length).toBe(entries)
    })
  }

  it('can be unshared by a team admin (then it is the author’s own again) or deleted', async () => {
    const w = await sharedNote()
    await leave(w, w.owner)
    // an admin may take it out of the team, not edit it
    expect((await patch(`/api/v1/notes/${w.id}`, w.admin.auth, { body: 'edited by admin' })).statusCode).toBe(403)
    expect((await patch(`/api/v1/notes/${w.id}`, w.admin.auth, { projectId: null, title: 'x' })).statusCode).toBe(403)
    const unshared = await patch(`/api/v1/notes/${w.id}`, w.admin.auth, { projectId: null })
    expect(unshared.statusCode, unshared.body).toBe(200)
    expect(unshared.json()).toMatchObject({ projectId: null, body: 'v1' })
    expect((await get(`/api/v1/notes/${w.id}`, w.owner.auth)).statusCode).toBe(404)
    // the team's log says it left, under the team
    expect((await noteEntries(w.id)).at(-1)).toMatchObject({
      action: 'note.updated',
      actor_id: w.admin.id,
      team_id: w.team.id,
    })
    // personal again: its author changes it as before
    expect((await patch(`/api/v1/notes/${w.id}`, w.author.auth, { body: 'v2' })).statusCode).toBe(200)

    const other = await sharedNote()
    const member = await given.member(t.app, other.team, other.owner, 'member')
    expect((await del(`/api/v1/notes/${other.id}`, member.auth)).statusCode).toBe(403)
    expect((await patch(`/api/v1/notes/${other.id}`, member.auth, { projectId: null })).statusCode).toBe(403)
    expect((await del(`/api/v1/notes/${other.id}`, other.admin.auth)).statusCode).toBe(204)
    expect((await get(`/api/v1/notes/${other.id}`, other.author.auth)).statusCode).toBe(404)
  })

  it('still lets an author who is a member change it', async () => {
    const w = await sharedNote()
    const res = await patch(`/api/v1/notes/${w.id}`, w.author.auth, { body: 'v2' })
    expect(res.statusCode, res.body).toBe(200)
  })
})
