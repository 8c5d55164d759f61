import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { eventually } from '../../../test/eventually.ts'
import { STORAGE_MODES, sendFile, storedKeys, useFilesApp } from '../../../test/files-app.ts'
import { given } from '../../../test/given.ts'
import { sweepOrphans } from './files.sweep.ts'
import { nameStoredFile, newFileKey } from './files.upload.ts'

describe.each(STORAGE_MODES)('file consistency on %s storage', (mode) => {
  const t = useFilesApp(mode)

  const capture = () => {
    const lines: string[] = []
    const log = pino({ level: 'info' }, { write: (l: string) => lines.push(l) })
    return { log, records: () => lines.map((l) => JSON.parse(l)) }
  }

  it('sweeps objects that no row names, and reports them', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const kept = await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, 'kept.txt', Buffer.from('kept'))
    expect(kept.statusCode).toBe(201)
    const note = await t.app.inject({
      method: 'POST',
      url: '/api/v1/notes',
      headers: user.auth,
      payload: { title: 'n' },
    })
    const withFile = await sendFile(t.app, user, `/api/v1/notes/${note.json().id}/file`, 'n.txt', Buffer.from('n'), {
      method: 'PUT',
    })
    expect(withFile.statusCode).toBe(200)
    // an object left by a crash between writing the bytes and the row
    const orphan = newFileKey()
    await t.storage.put(orphan, Readable.from([Buffer.from('orphan')]))
    const before = await storedKeys(t.storage)
    expect(before).toContain(orphan)

    const { log, records } = capture()
    // young objects are left alone: their upload may still be writing its row
    expect(await sweepOrphans({ db: t.database.db, storage: t.storage, log })).toEqual([])
    const removed = await sweepOrphans({ db: t.database.db, storage: t.storage, log }, 0)
    expect(removed.map((o) => o.key)).toEqual([orphan])
    expect(await storedKeys(t.storage)).toEqual(before.filter((k) => k !== orphan))
    expect(records().find((r) => r.msg === 'sweep removed orphan objects')).toMatchObject({ count: 1, keys: [orphan] })

    // what rows name is still readable
    const dl = await t.app.inject({
      method: 'GET',
      url: `/api/v1/attachments/${kept.json().id}/content`,
      headers: user.auth,
    })
    // a text file is streamed by the API on either store (see files.download.ts)
    expect(dl.statusCode).toBe(200)
  })

  it('streams a file larger than the JSON body limit and an S3 part through the API', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const bytes = randomBytes(6 * 1024 * 1024 + 123)
    const res = await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, 'big.bin', bytes)
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') })
  })

  it('shows queue depth and job runs in /metrics', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const a = (await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, 'x.txt', Buffer.from('x'))).json()
    await t.app.inject({ method: 'DELETE', url: `/api/v1/attachments/${a.id}`, headers: user.auth })
    await eventually(async () => {
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body
      return /tasklane_jobs_completed_total\{queue="files.delete-object"\} [1-9]/.test(text) && text
    }).then((text) =>
      expect(text).toMatch(/tasklane_job_queue_jobs\{queue="files.delete-object",state="completed"\} [1-9]/),
    )
  })

  it('deletes the stored object again when its row cannot be written', async () => {
    const key = newFileKey()
    await t.storage.put(key, Readable.from([Buffer.from('bytes')]))
    const file = { key, filename: 'a.txt', contentType: 'text/plain', size: 5, sha256: 'x'.repeat(64) }
    const failure = new Error('insert failed')
    await expect(
      nameStoredFile(t.storage, file, pino({ level: 'silent' }), async () => {
        throw failure
      }),
    ).rejects.toBe(failure)
    expect(await t.storage.exists(key)).toBe(false)
  })
})
