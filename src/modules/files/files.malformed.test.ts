import { beforeAll, describe, expect, it } from 'vitest'
import { sendFile, storedKeys, useFilesApp } from '../../../test/files-app.ts'
import { type GivenUser, given } from '../../../test/given.ts'

// issue 15, item 5: a multipart body the parser cannot read was a 500 on every upload route
const t = useFilesApp('local')

const part = (boundary: string, rest = 'hello\r\n') =>
  `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n` +
  `Content-Type: text/plain\r\n\r\n${rest}`
const long = 'b'.repeat(200)

const MALFORMED: { name: string; contentType: string; body: string }[] = [
  { name: 'no boundary', contentType: 'multipart/form-data', body: part('XYZ', 'hello\r\n--XYZ--\r\n') },
  {
    name: 'a boundary the body never uses',
    contentType: 'multipart/form-data; boundary=XYZ',
    body: part('ABC', 'hello\r\n--ABC--\r\n'),
  },
  { name: 'a part cut short', contentType: 'multipart/form-data; boundary=XYZ', body: part('XYZ', 'hel') },
  { name: 'no closing boundary', contentType: 'multipart/form-data; boundary=XYZ', body: part('XYZ') },
  {
    name: 'a 200-character boundary, cut short',
    contentType: `multipart/form-data; boundary=${long}`,
    body: part(long, 'x'),
  },
  {
    name: 'headers that never end',
    contentType: 'multipart/form-data; boundary=XYZ',
    body: '--XYZ\r\nContent-Disposition: form-da',
  },
]

describe('a malformed multipart upload', () => {
  let user: GivenUser
  const routes: { method: 'POST' | 'PUT'; url: string }[] = []
  let before: string[]
  beforeAll(async () => {
    user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const attachment = await sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, 'a.txt', Buffer.from('a'))
    const note = await t.app.inject({
      method: 'POST',
      url: '/api/v1/notes',
      headers: user.auth,
      payload: { title: 'n' },
    })
    routes.push(
      { method: 'POST', url: `/api/v1/tasks/${task.id}/attachments` },
      { method: 'PUT', url: `/api/v1/attachments/${attachment.json().id}/content` },
      { method: 'PUT', url: `/api/v1/notes/${note.json().id}/file` },
    )
    before = await storedKeys(t.storage)
  })

  it('is a 400 problem naming the file, on every upload route, and stores nothing', async () => {
    const wrong: string[] = []
    for (const route of routes) {
      for (const m of MALFORMED) {
        const res = await t.app.inject({
          method: route.method,
          url: route.url,
          headers: { ...user.auth, 'content-type': m.contentType },
          payload: m.body,
        })
        const body = res.json()
        const named = body.errors?.some((e: { path: string }) => e.path === 'body.file')
        if (res.statusCode !== 400 || !named || body.requestId !== res.headers['x-request-id']) {
          wrong.push(`${route.method} ${route.url} ${m.name}: ${res.statusCode} ${res.body}`)
        }
      }
    }
    expect(wrong).toEqual([])
    expect(await storedKeys(t.storage)).toEqual(before)
    const { rows } = await t.database.sql.query<{ n: number }>('select count(*)::int as n from attachments')
    expect(rows[0]!.n).toBe(1)
  })
})
