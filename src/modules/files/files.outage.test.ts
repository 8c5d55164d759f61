import { createHash } from 'node:crypto'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { pngBytes, STORAGE_MODES, sendFile, storedKeys, useFilesApp } from '../../../test/files-app.ts'
import { given } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'

describe.each(STORAGE_MODES)('uploads while %s storage is down', (mode) => {
  const t = useFilesApp(mode)
  const { get, post } = http(t)

  // where the local store writes first: a file in its place makes every write fail (as root, modes would not)
  const tmpDir = () => join(t.config.STORAGE_DIR, '.tmp')

  /** Takes the store away: the S3 server stops; the local directory can no longer be written. */
  async function breakStorage() {
    if (t.s3) return t.s3.close()
    rmSync(tmpDir(), { recursive: true, force: true })
    writeFileSync(tmpDir(), 'not a directory')
  }

  const expectOutage = (res: { statusCode: number; headers: Record<string, unknown>; body: string }) => {
    expect(res.statusCode, res.body).toBe(503)
    expect(res.headers['retry-after']).toBe('5')
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(JSON.parse(res.body)).toMatchObject({ type: 'urn:tasklane:problem:storage-unavailable', status: 503 })
  }

  it('answers 503 with Retry-After to every upload, writes nothing, and logs no error', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const first = await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, 'a.png', pngBytes())
    expect(first.statusCode, first.body).toBe(201)
    const attachment = first.json()
    const note = (await post('/api/v1/notes', user.auth, { title: 'With a file later' })).json()
    const keysBefore = await storedKeys(t.storage)
    const logsBefore = t.logs.length

    await breakStorage()
    expectOutage(await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, 'b.png', pngBytes()))
    expectOutage(
      await sendFile(t.app, user, `/api/v1/attachments/${attachment.id}/content`, 'c.png', pngBytes(), {
        method: 'PUT',
      }),
    )
    expectOutage(await sendFile(t.app, user, `/api/v1/notes/${note.id}/file`, 'd.png', pngBytes(), { method: 'PUT' }))

    // nothing was written: one attachment with its first bytes, a note without a file
    const list = (await get(`/api/v1/tasks/${task.id}/attachments`, user.auth)).json()
    expect(list.items).toEqual([attachment])
    expect((await get(`/api/v1/notes/${note.id}`, user.auth)).json().file).toBeNull()
    const { rows } = await t.database.sql.query<{ n: number }>(
      `select count(*)::int as n from activity where entity_id = any($1) and action <> 'attachment.created' and action <> 'note.created'`,
      [[attachment.id, note.id]],
    )
    expect(rows[0]!.n).toBe(0)
    const lines = t.logs.slice(logsBefore)
    expect(lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([])
    expect(lines.filter((l) => l.msg === 'file storage unavailable')).toHaveLength(3)
    if (mode === 'local') {
      // the store comes back: nothing of the failed uploads is in it, and the first file is intact
      rmSync(tmpDir(), { force: true })
      expect(await storedKeys(t.storage)).toEqual(keysBefore)
      const dl = await get(`/api/v1/attachments/${attachment.id}/content`, user.auth)
      expect(dl.statusCode).toBe(200)
      expect(createHash('sha256').update(dl.rawPayload).digest('hex')).toBe(attachment.sha256)
    }
  })
})
