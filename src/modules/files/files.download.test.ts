import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { pngBytes, STORAGE_MODES, sendFile, useFilesApp } from '../../../test/files-app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'

const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex')
const page = Buffer.from('<!doctype html><html><body><script>alert(document.domain)</script></body></html>\n')

describe.each(STORAGE_MODES)('downloads on %s storage', (mode) => {
  const t = useFilesApp(mode)
  const { get } = http(t)

  const upload = async (user: GivenUser, filename: string, bytes: Buffer) => {
    const task = await given.task(t.app, user)
    const res = await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, filename, bytes)
    expect(res.statusCode, res.body).toBe(201)
    return res.json() as { id: string; contentType: string }
  }

  /** What only the API can promise: the bytes come through it with nosniff and a sandboxing CSP. */
  const expectServedByApi = (res: Awaited<ReturnType<typeof get>>, bytes: Buffer, filename: string) => {
    expect(res.statusCode).toBe(200)
    expect(sha(res.rawPayload)).toBe(sha(bytes))
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox")
    expect(res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="${filename}"`))
    expect(res.headers['cache-control']).toBe('private, no-store')
  }

  it('streams text a browser could sniff into a page through the API, with nosniff, on any store', async () => {
    const user = await given.user(t.app)
    const attachment = await upload(user, 'page.html', page)
    expect(attachment.contentType).toBe('text/plain; charset=utf-8')
    const res = await get(`/api/v1/attachments/${attachment.id}/content`, user.auth)
    expectServedByApi(res, page, 'page.html')
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8')

    const note = (
      await t.app.inject({ method: 'POST', url: '/api/v1/notes', headers: user.auth, payload: { title: 'n' } })
    ).json()
    const put = await sendFile(t.app, user, `/api/v1/notes/${note.id}/file`, 'page.html', page, { method: 'PUT' })
    expect(put.statusCode, put.body).toBe(200)
    expectServedByApi(await get(`/api/v1/notes/${note.id}/file`, user.auth), page, 'page.html')
  })

  it('streams bytes of no known type through the API too', async () => {
    const user = await given.user(t.app)
    const bytes = Buffer.from([0x00, 0x01, 0x3c, 0x68, 0x74, 0x6d, 0x6c, 0x3e, 0xff])
    const attachment = await upload(user, 'blob.bin', bytes)
    expect(attachment.contentType).toBe('application/octet-stream')
    expectServedByApi(await get(`/api/v1/attachments/${attachment.id}/content`, user.auth), bytes, 'blob.bin')
  })

  it(
    mode === 's3'
      ? 'redirects a file whose bytes prove its type to S3, with its type, disposition and cache policy'
      : 'streams a file whose bytes prove its type',
    async () => {
      const user = await given.user(t.app)
      const png = pngBytes()
      const attachment = await upload(user, 'shot.png', png)
      const res = await get(`/api/v1/attachments/${attachment.id}/content`, user.auth)
      if (mode === 'local') return expectServedByApi(res, png, 'shot.png')
      expect(res.statusCode).toBe(302)
      const location = new URL(String(res.headers.location))
      expect(location.searchParams.get('X-Amz-Expires')).toBe('60')
      expect(location.searchParams.get('response-content-type')).toBe('image/png')
      expect(location.searchParams.get('response-content-disposition')).toMatch(/^attachment; filename="shot.png"/)
      expect(location.searchParams.get('response-cache-control')).toBe('private, no-store')
      const fetched = await fetch(location)
      expect(fetched.status).toBe(200)
      expect(sha(new Uint8Array(await fetched.arrayBuffer()))).toBe(sha(png))
      expect(fetched.headers.get('content-type')).toBe('image/png')
      expect(fetched.headers.get('content-disposition')).toMatch(/^attachment; filename="shot.png"/)
      expect(fetched.headers.get('cache-control')).toBe('private, no-store')
    },
  )
})
