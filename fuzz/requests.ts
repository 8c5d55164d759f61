import fc from 'fast-check'
import { type Document, jsonBody, type Operation, parameterCollection, type Schema } from '../test/openapi-doc.ts'
import type { FuzzRequest } from './http.ts'
import { hostile, type IdPools, schemaValue } from './values.ts'
import type { Ids } from './world.ts'

/** What a request is built from: the document, whose ids are whose, and the caller's token. */
export interface Context {
  doc: Document
  own: Ids
  other: Ids
  token: string
}

// the collection an id-valued field names, by the field's name
const FIELD_COLLECTION: Record<string, string> = {
  projectId: 'projects',
  teamId: 'teams',
  taskId: 'tasks',
  parentId: 'tasks',
  assigneeId: 'users',
  userId: 'users',
  tagIds: 'tags',
  tag: 'tags',
  invitationId: 'invitations',
  externalId: 'users',
}
// the collection a path segment's parameter names (`/teams/{id}/members/{userId}`)
const SEGMENT_COLLECTION: Record<string, string> = { members: 'users', 'by-external-id': 'users' }

/** `arbitrary` with the given chance, null otherwise. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, chance: number): fc.Arbitrary<T | null> =>
  fc.oneof(
    { arbitrary: fc.constant(null), weight: Math.round((1 - chance) * 100) },
    { arbitrary, weight: Math.round(chance * 100) },
  )

const all = (ids: Ids) => Object.values(ids).flat()
function pools(ctx: Context, collection: string | undefined): IdPools {
  if (collection && (ctx.own[collection]?.length || ctx.other[collection]?.length)) {
    return { own: ctx.own[collection] ?? [], other: ctx.other[collection] ?? [] }
  }
  return { own: all(ctx.own), other: all(ctx.other) }
}

/** Percent-encodes a string as UTF-8; a lone surrogate becomes the bytes of its code unit (invalid UTF-8). */
function encode(value: string): string {
  let out = ''
  for (const ch of value) {
    const code = ch.codePointAt(0)!
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('')
    } else out += encodeURIComponent(ch).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  }
  return out
}

// path segments as sent, raw: percent-encoding that does not decode, a parameter past the router's limit
const RAW_SEGMENTS = ['%FF', '%', '%E0%A4%A', '%00', '%ED%A0%80', '..', '%2e%2e%2f', 'a'.repeat(201), 'a'.repeat(5_000)]

function idArbitrary(ids: IdPools, raw = false): fc.Arbitrary<string> {
  const own = ids.own.length ? [{ arbitrary: fc.constantFrom(...ids.own), weight: 5 }] : []
  const other = ids.other.length ? [{ arbitrary: fc.constantFrom(...ids.other), weight: 3 }] : []
  return fc.oneof(
    ...own,
    ...other,
    { arbitrary: fc.uuid().map((u) => (raw ? u : u)), weight: 1 },
    { arbitrary: fc.constantFrom(...RAW_SEGMENTS).map((s) => (raw ? s : decodeLoosely(s))), weight: 1 },
    {
      arbitrary: fc.oneof(
        fc.constantFrom('', 'x', '0', '-1', '1e308', 'null', 'me', '00000000-0000-0000-0000-000000000000'),
        fc.uuid().map((u) => u.toUpperCase()),
        fc.string({ unit: 'binary', maxLength: 40 }),
      ),
      weight: 2,
    },
  )
}
const decodeLoosely = (s: string) => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** Opaque cursors that are not ours: numbers out of range, wrong shapes, not base64 at all. */
const BAD_CURSORS = [
  // JSON text, so that the number keeps all its digits
  '[99999999999999999999999,"x"]',
  '[1e308,"x"]',
  '[-1e308,"00000000-0000-0000-0000-000000000000"]',
  '["0000-01-01T00:00:00Z","x"]',
  '["\\u0000","\\ud800"]',
  '[null,null]',
  '[]',
  '{}',
  '"x"',
  '[[[[[[]]]]]]',
  '["2026-01-01T00:00:00.000Z","not-a-uuid",3,4,5]',
].map((v) => Buffer.from(v).toString('base64url'))
const cursor = fc.oneof(
  fc.constantFrom(...BAD_CURSORS, '!!!', '%00', 'e30', 'a'.repeat(501), '=='),
  fc.base64String({ maxLength: 80 }),
)

function queryValue(ctx: Context, name: string, schema: Schema): fc.Arbitrary<string> {
  if (name === 'cursor') return cursor
  const ids = pools(ctx, FIELD_COLLECTION[name])
  if (FIELD_COLLECTION[name] || name === 'after') return fc.oneof(idArbitrary(ids), hostileText(ctx, schema, ids))
  return fc.oneof(
    { arbitrary: schemaValue(ctx.doc, schema, ids, 0).map(asQuery), weight: 3 },
    { arbitrary: hostileText(ctx, schema, ids), weight: 2 },
  )
}
const hostileText = (ctx: Context, schema: Schema, ids: IdPools) => hostile(ctx.doc, schema, ids).map(asQuery)
const asQuery = (v: unknown): string =>
  Array.isArray(v) ? v.map(asQuery).join(',') : typeof v === 'string' ? v : (JSON.stringify(v) ?? '')

function queryString(ctx: Context, op: Operation): fc.Arbitrary<string> {
  const declared = op.parameters.filter((p) => p.in === 'query')
  const pairs = declared.map((p) =>
    sometimes(
      queryValue(ctx, p.name, p.schema).map((v) => `${p.name}=${encode(v)}`),
      0.5,
    ),
  )
  const extra = sometimes(
    fc.constantFrom('unknown=1', 'limit=1&limit=2', '%FF=1', 'a=%FF', `q=${'a'.repeat(70_000)}`, '&&&', '=x'),
    0.1,
  )
  return fc.tuple(fc.tuple(...pairs), extra).map(([values, more]) => {
    const parts = [...values, more].filter((v): v is string => Boolean(v))
    return parts.length ? `?${parts.join('&')}` : ''
  })
}

function pathOf(ctx: Context, op: Operation): fc.Arbitrary<string> {
  const names = op.parameters.filter((p) => p.in === 'path').map((p) => p.name)
  const values = names.map((name) => {
    const segment = parameterCollection(op.path, name)
    const ids = pools(ctx, SEGMENT_COLLECTION[segment] ?? (name === 'id' ? segment : FIELD_COLLECTION[name]))
    return fc.oneof(
      { arbitrary: idArbitrary(ids).map(encode), weight: 9 },
      { arbitrary: fc.constantFrom(...RAW_SEGMENTS), weight: 1 },
    )
  })
  return fc.tuple(...values).map((filled) => {
    const byName = Object.fromEntries(names.map((n, i) => [n, filled[i]!]))
    return op.path.replace(/\{([^}]+)\}/g, (_, n: string) => byName[n] ?? '')
  })
}

const ETAGS = ['"1"', '"2"', '*', 'W/"1"', '"', 'garbage', `"${'9'.repeat(99)}"`, '"1", "2"']

function headersOf(ctx: Context, op: Operation): fc.Arbitrary<Record<string, string>> {
  const auth = fc.oneof(
    { arbitrary: fc.constant(`Bearer ${ctx.token}`), weight: 20 },
    { arbitrary: fc.constantFrom('', 'Bearer', 'Bearer x', 'Basic YTpi', `Bearer ${'a'.repeat(5000)}`), weight: 1 },
    { arbitrary: fc.constant(`Bearer ${ctx.token.slice(0, -2)}xx`), weight: 1 },
  )
  const declared = new Set(op.parameters.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()))
  return fc
    .record({
      auth,
      ifMatch: sometimes(fc.constantFrom(...ETAGS), declared.has('if-match') ? 0.4 : 0.05),
      ifNoneMatch: sometimes(fc.constantFrom(...ETAGS), declared.has('if-none-match') ? 0.4 : 0.05),
      key: sometimes(
        fc.oneof(fc.uuid(), fc.constantFrom('', ' ', 'k'.repeat(300), 'é', 'same-key')),
        declared.has('idempotency-key') ? 0.4 : 0.05,
      ),
      lastEventId: sometimes(
        fc.constantFrom('0', 'x', '99999999999999999999999', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
        declared.has('last-event-id') ? 0.4 : 0.02,
      ),
    })
    .map(({ auth, ifMatch, ifNoneMatch, key, lastEventId }) => ({
      ...(auth ? { authorization: auth } : {}),
      ...(ifMatch ? { 'if-match': ifMatch } : {}),
      ...(ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {}),
      ...(key !== null ? { 'idempotency-key': key } : {}),
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    }))
}

type Body = { contentType?: string; body?: Buffer; note: string }
const json = (value: unknown, note: string): Body => ({
  contentType: 'application/json',
  body: Buffer.from(JSON.stringify(value) ?? 'null'),
  note,
})

/** Bodies that are wrong whatever the route: not JSON, too big, too deep, of another type. */
const WRONG_BODIES: fc.Arbitrary<Body> = fc.constantFrom<Body>(
  { contentType: 'application/json', body: Buffer.from('{'), note: 'truncated JSON' },
  { contentType: 'application/json', body: Buffer.from('{"a":}'), note: 'malformed JSON' },
  { contentType: 'application/json', body: Buffer.from(''), note: 'empty JSON body' },
  { contentType: 'application/json', body: Buffer.from('\u0000'), note: 'NUL as JSON' },
  { contentType: 'application/json', body: Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), note: 'JSON that is not UTF-8' },
  { contentType: 'application/json', body: Buffer.from(`"${'a'.repeat(1_100_000)}"`), note: 'JSON over 1 MiB' },
  {
    contentType: 'application/json',
    body: Buffer.from(`${'['.repeat(50_000)}${']'.repeat(50_000)}`),
    note: 'arrays 50,000 deep',
  },
  {
    contentType: 'application/json',
    body: Buffer.from(`${'{"a":['.repeat(5_000)}"x"${']}'.repeat(5_000)}`),
    note: 'objects and arrays 10,000 deep',
  },
  json(
    Array.from({ length: 20_000 }, (_, i) => ({ i })),
    'an array of 20,000 objects',
  ),
  { contentType: 'application/json; charset=utf-16', body: Buffer.from('{}', 'utf16le'), note: 'UTF-16 JSON' },
  { contentType: 'text/plain', body: Buffer.from('hello'), note: 'text/plain body' },
  { contentType: 'application/xml', body: Buffer.from('<a/>'), note: 'XML body' },
  { contentType: 'application/x-www-form-urlencoded', body: Buffer.from('a=1&b=2'), note: 'form body' },
  { contentType: 'multipart/form-data', body: Buffer.from('--x\r\n\r\n--x--'), note: 'multipart without boundary' },
  { contentType: 'application/json', body: Buffer.from('{"__proto__":{"admin":true}}'), note: 'prototype pollution' },
  { contentType: 'application/json', body: Buffer.from('{"a":1,"a":2}'), note: 'duplicate keys' },
  { contentType: '', body: Buffer.from('{}'), note: 'body without a content type' },
  { note: 'no body' },
)

function multipart(boundary: string, parts: { headers: string; content: Buffer }[], close = true): Buffer {
  const chunks = parts.flatMap((p) => [
    Buffer.from(`--${boundary}\r\n${p.headers}\r\n\r\n`),
    p.content,
    Buffer.from('\r\n'),
  ])
  return Buffer.concat([...chunks, Buffer.from(close ? `--${boundary}--\r\n` : '')])
}

/** Multipart bodies: well-formed (a file with odd names and types) and broken in the ways item 5 found. */
function multipartBody(): fc.Arbitrary<Body> {
  const filename = fc.constantFrom(
    'a.txt',
    '',
    '../../x',
    'a\u0000b.txt',
    'é.txt',
    `${'n'.repeat(300)}.txt`,
    'a"b.txt',
    'x.pdf',
  )
  const contentType = fc.constantFrom('text/plain', 'application/pdf', 'image/svg+xml', 'text/html', '', 'x/\u0000')
  const content = fc.oneof(
    fc.constant(Buffer.from('hello')),
    fc.constant(Buffer.alloc(0)),
    fc.constant(Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF')),
    fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  )
  const wellFormed = fc.tuple(filename, contentType, content, fc.constantFrom('file', 'other', 'FILE')).map(
    ([name, type, bytes, field]): Body => ({
      contentType: 'multipart/form-data; boundary=fuzzboundary',
      body: multipart('fuzzboundary', [
        {
          headers: `Content-Disposition: form-data; name="${field}"; filename="${name}"${type ? `\r\nContent-Type: ${type}` : ''}`,
          content: bytes,
        },
      ]),
      note: `multipart: field ${field}, filename ${JSON.stringify(name).slice(0, 40)}, type ${JSON.stringify(type)}`,
    }),
  )
  const file = { headers: 'Content-Disposition: form-data; name="file"; filename="a.txt"', content: Buffer.from('hi') }
  const broken = fc.constantFrom<Body>(
    { contentType: 'multipart/form-data', body: multipart('b', [file]), note: 'multipart: no boundary parameter' },
    {
      contentType: 'multipart/form-data; boundary=other',
      body: multipart('b', [file]),
      note: 'multipart: boundary mismatch',
    },
    {
      contentType: 'multipart/form-data; boundary=b',
      body: multipart('b', [file], false),
      note: 'multipart: truncated',
    },
    {
      contentType: `multipart/form-data; boundary=${'b'.repeat(200)}`,
      body: multipart('b'.repeat(200), [file]),
      note: 'multipart: 200-character boundary',
    },
    { contentType: 'multipart/form-data; boundary=b', body: Buffer.from('--b--\r\n'), note: 'multipart: no parts' },
    {
      contentType: 'multipart/form-data; boundary=b',
      body: multipart('b', [file, file]),
      note: 'multipart: two files',
    },
    {
      contentType: 'multipart/form-data; boundary=b',
      body: multipart('b', [{ headers: 'Content-Disposition: form-data; name="file"', content: Buffer.from('x') }]),
      note: 'multipart: a field, not a file',
    },
    {
      contentType: 'multipart/form-data; boundary=b',
      body: multipart('b', [
        {
          headers: `Content-Disposition: form-data; name="file"; filename="${'x'.repeat(20_000)}"`,
          content: Buffer.from('x'),
        },
      ]),
      note: 'multipart: 20,000-character part header',
    },
    { contentType: 'multipart/form-data; boundary=b', body: Buffer.from('garbage'), note: 'multipart: garbage' },
    {
      contentType: 'multipart/form-data; boundary="b"; boundary=c',
      body: multipart('b', [file]),
      note: 'multipart: two boundaries',
    },
  )
  return fc.oneof(
    { arbitrary: wellFormed, weight: 2 },
    { arbitrary: broken, weight: 2 },
    { arbitrary: WRONG_BODIES, weight: 1 },
  )
}

function bodyOf(ctx: Context, op: Operation): fc.Arbitrary<Body> {
  if (Object.keys(op.bodies).some((t) => t.startsWith('multipart/'))) return multipartBody()
  const schema = jsonBody(op)
  if (!schema) {
    // a route without a body still reads one when sent
    return fc.oneof(
      { arbitrary: fc.constant<Body>({ note: 'no body' }), weight: 6 },
      { arbitrary: WRONG_BODIES, weight: 1 },
    )
  }
  const ids = { own: all(ctx.own), other: all(ctx.other) }
  return fc.oneof(
    { arbitrary: schemaValue(ctx.doc, schema, ids, 0).map((v) => json(v, 'a valid body')), weight: 2 },
    { arbitrary: schemaValue(ctx.doc, schema, ids, 0.2).map((v) => json(v, 'a body with hostile fields')), weight: 6 },
    { arbitrary: hostile(ctx.doc, schema, ids).map((v) => json(v, 'a body of the wrong type')), weight: 1 },
    { arbitrary: WRONG_BODIES, weight: 1 },
  )
}

/** Requests for one operation: its path, query, headers and body, each well-formed or hostile. */
export function requestsFor(ctx: Context, op: Operation): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(pathOf(ctx, op), queryString(ctx, op), headersOf(ctx, op), bodyOf(ctx, op))
    .map(([path, query, headers, body]) => ({
      method: op.method,
      path: `${path}${query}`,
      headers: { ...headers, ...(body.contentType ? { 'content-type': body.contentType } : {}) },
      body: body.body,
      note: body.note,
    }))
}
