import { describe, expect, it } from 'vitest'
import { eventually } from '../../../test/eventually.ts'
import { sendFile, storedKeys, useFilesApp } from '../../../test/files-app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'

// local storage: the objects are files under DATA_DIR; the queue's handlers run in this process
const f = useFilesApp('local')
const { get, post, del } = http(f)

/** Uploads an attachment to a task and returns the key of its stored object. */
async function attach(user: GivenUser, taskId: string): Promise<string> {
  const res = await sendFile(f.app, user, `/api/v1/tasks/${taskId}/attachments`, 'a.txt', Buffer.from(`for ${taskId}`))
  expect(res.statusCode, res.body).toBe(201)
  const { rows } = await f.database.sql.query<{ key: string }>(
    'select storage_key as key from attachments where id = $1',
    [res.json().id],
  )
  return rows[0]!.key
}

/** Waits until none of `keys` is in storage any more. */
const gone = (keys: string[]) =>
  eventually(async () => {
    const stored = new Set(await storedKeys(f.storage))
    return keys.every((k) => !stored.has(k))
  })

/** A task with a subtask (each with an attachment) in a project of a new team, and the two keys. */
async function taskTreeWithFiles() {
  const owner = await given.user(f.app)
  const team = await given.team(f.app, owner)
  const project = await given.project(f.app, team, owner)
  const task = await given.task(f.app, owner, { projectId: project.id })
  const sub = await given.task(f.app, owner, { title: 'A subtask', projectId: project.id, parentId: task.id })
  const keys = [await attach(owner, task.id), await attach(owner, sub.id)]
  expect(await storedKeys(f.storage)).toEqual(expect.arrayContaining(keys))
  return { owner, team, project, task, keys }
}

describe('a delete that cascades removes the stored objects it orphans', () => {
  it('deleting a task removes its attachments and its subtasks’', async () => {
    const { owner, task, keys } = await taskTreeWithFiles()
    expect((await del(`/api/v1/tasks/${task.id}`, owner.auth)).statusCode).toBe(204)
    await gone(keys)
  })

  it('deleting a project removes the attachments of all its tasks', async () => {
    const { owner, project, keys } = await taskTreeWithFiles()
    const other = await given.task(f.app, owner, { projectId: project.id })
    keys.push(await attach(owner, other.id))
    expect((await del(`/api/v1/projects/${project.id}`, owner.auth)).statusCode).toBe(204)
    await gone(keys)
  })

  it('deleting a team removes the attachments of every task in it, and keeps a note once shared there', async () => {
    const { owner, team, project, keys } = await taskTreeWithFiles()
    const second = await given.project(f.app, team, owner, { name: 'Second' })
    keys.push(await attach(owner, (await given.task(f.app, owner, { projectId: second.id })).id))
    const note = await post('/api/v1/notes', owner.auth, { title: 'Shared', projectId: project.id })
    expect(note.statusCode, note.body).toBe(201)
    const noteFile = await sendFile(f.app, owner, `/api/v1/notes/${note.json().id}/file`, 'n.txt', Buffer.from('n'), {
      method: 'PUT',
    })
    expect(noteFile.statusCode, noteFile.body).toBe(200)

    expect((await del(`/api/v1/teams/${team.id}`, owner.auth)).statusCode).toBe(204)
    await gone(keys)
    // the note outlives the project it was shared with (personal again), and so does its file
    const after = await get(`/api/v1/notes/${note.json().id}/file`, owner.auth)
    expect(after.statusCode).toBe(200)
    expect(after.body).toBe('n')
  })

  it('a delete that is refused removes nothing', async () => {
    const { owner, task, keys } = await taskTreeWithFiles()
    const refused = await del(`/api/v1/tasks/${task.id}`, { ...owner.auth, 'if-match': '"stale"' })
    expect(refused.statusCode).toBe(412)
    // the explicit delete of another object proves the queue ran meanwhile
    const probe = await given.task(f.app, owner)
    const probeKey = await attach(owner, probe.id)
    expect((await del(`/api/v1/tasks/${probe.id}`, owner.auth)).statusCode).toBe(204)
    await gone([probeKey])
    expect(await storedKeys(f.storage)).toEqual(expect.arrayContaining(keys))
  })
})
