import { describe, expect, it } from 'vitest'
import { eventually } from '../../../test/eventually.ts'
import { STORAGE_MODES, sendFile, useFilesApp } from '../../../test/files-app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { pdfWith } from '../../../test/pdf.ts'

// each extraction starts a process (through tsx here): seconds apiece on a busy machine
describe.each(STORAGE_MODES)('PDF text extraction on %s storage', { timeout: 120_000 }, (mode) => {
  const t = useFilesApp(mode)

  const upload = async (user: GivenUser, taskId: string, name: string, bytes: Buffer) => {
    const res = await sendFile(t.app, user, `/api/v1/tasks/${taskId}/attachments`, name, bytes)
    expect(res.statusCode, res.body).toBe(201)
    return res.json()
  }
  type Settled = { extraction: { status: string; error: string | null }; version: number }
  const settled = (user: GivenUser, id: string) =>
    eventually<Settled>(async () => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${id}`, headers: user.auth })
      const status = res.json().extraction.status
      return status === 'done' || status === 'failed' ? res.json() : undefined
    }, 60_000)
  const search = async (user: GivenUser, q: string) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tasks?q=${encodeURIComponent(q)}`,
      headers: user.auth,
    })
    expect(res.statusCode, res.body).toBe(200)
    return res.json().items.map((task: { id: string }) => task.id)
  }

  it('extracts a PDF in the background and makes the task findable by its words', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user, { title: 'Quarterly paperwork' })
    const other = await given.task(t.app, user, { title: 'Something else' })
    expect(await search(user, 'xylophone')).toEqual([])
    const a = await upload(user, task.id, 'scan.pdf', pdfWith('The xylophone invoice of Zanzibar', 2))
    expect(a).toMatchObject({ contentType: 'application/pdf', extraction: { status: 'queued', error: null } })
    const done = await settled(user, a.id)
    expect(done.extraction).toEqual({ status: 'done', error: null })
    expect(done.version).toBeGreaterThan(a.version)
    const text = await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${a.id}/text`, headers: user.auth })
    expect(text.json()).toMatchObject({ id: a.id, extraction: { status: 'done' } })
    expect(text.json().text).toContain('xylophone invoice of Zanzibar page 1')
    expect(text.json().text).toContain('page 2')
    expect(await search(user, 'xylophone')).toEqual([task.id])
    expect(await search(user, 'zanzibar invoice')).toEqual([task.id])
    expect(await search(user, 'xylophone')).not.toContain(other.id)

    // the words leave the search with the file
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/attachments/${a.id}`, headers: user.auth })
    expect(del.statusCode).toBe(204)
    expect(await search(user, 'xylophone')).toEqual([])
  })

  it('marks a corrupt PDF failed, with the error, and re-runs on request', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const a = await upload(user, task.id, 'broken.pdf', Buffer.from('%PDF-1.7\nthis is not really a pdf at all\n'))
    expect(a.extraction.status).toBe('queued')
    const failed = await settled(user, a.id)
    expect(failed.extraction.status).toBe('failed')
    expect(failed.extraction.error).toMatch(/PDF/)
    const text = await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${a.id}/text`, headers: user.auth })
    expect(text.json().text).toBeNull()

    const again = await t.app.inject({ method: 'POST', url: `/api/v1/attachments/${a.id}/extract`, headers: user.auth })
    expect(again.statusCode).toBe(202)
    expect(again.json().extraction).toEqual({ status: 'queued', error: null })
    expect((await settled(user, a.id)).extraction.status).toBe('failed')
  })

  it('skips files that are not PDFs, also when asked to extract', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const a = await upload(user, task.id, 'notes.pdf', Buffer.from('plain text pretending to be a pdf'))
    expect(a.extraction.status).toBe('skipped')
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/attachments/${a.id}/extract`, headers: user.auth })
    expect(again.json().extraction.status).toBe('skipped')
  })

  it('replacing a PDF extracts the new content and forgets the old text', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const a = await upload(user, task.id, 'v1.pdf', pdfWith('Aardvark'))
    await settled(user, a.id)
    expect(await search(user, 'aardvark')).toEqual([task.id])
    const res = await sendFile(t.app, user, `/api/v1/attachments/${a.id}/content`, 'v2.pdf', pdfWith('Bumblebee'), {
      method: 'PUT',
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(await search(user, 'aardvark')).toEqual([])
    await settled(user, a.id)
    expect(await search(user, 'bumblebee')).toEqual([task.id])
  })
})
