import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { useTestApp } from '../../test/app.ts'
import { type GivenUser, given } from '../../test/given.ts'
import {
  type Document,
  fillPath,
  jsonBody,
  type Operation,
  operations,
  type Parameter,
  placeAt,
  type Schema,
  stringSlots,
} from '../../test/openapi-doc.ts'
import { Text, Timestamp } from './schemas.ts'

const t = useTestApp()

describe('Text and Timestamp', () => {
  it('refuse NUL and unpaired surrogates, and keep paired ones', () => {
    for (const bad of ['a\u0000b', '\ud800', 'x\udc00', '\udc00\ud800']) expect(Text.safeParse(bad).success).toBe(false)
    for (const good of ['', 'plain', 'emoji 😀', 'é\u00a0ü', '\ufffd']) expect(Text.safeParse(good).success).toBe(true)
  })

  it('accept years 0001 to 9999 in UTC, whatever the offset says', () => {
    const ok = [
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      '0001-01-01T01:00:00+01:00',
      '2026-12-07T10:00:00-05:00',
    ]
    const refused = [
      '0000-01-01T00:00:00Z',
      '0000-12-31T23:59:59.999Z',
      '0001-01-01T00:30:00+01:00',
      '9999-12-31T23:00:00-01:00',
    ]
    for (const v of ok) expect(Timestamp.safeParse(v).success, v).toBe(true)
    for (const v of refused) expect(Timestamp.safeParse(v).success, v).toBe(false)
  })

  it('still let bounds and transforms follow (a Text is a string schema)', () => {
    const Name = Text.trim().min(1).max(3)
    expect(Name.parse('  ab ')).toBe('ab')
    expect(Name.safeParse('abcd').success).toBe(false)
    expect(z.toJSONSchema(Name)).toMatchObject({ type: 'string', minLength: 1, maxLength: 3 })
  })
})

const NUL = 'a\u0000b'
const LONE_SURROGATES = ['\ud800', 'x\udfff']
const OUT_OF_RANGE_TIMES = ['0000-01-01T00:00:00Z', '9999-12-31T23:00:00-02:00']

interface Case {
  name: string
  op: Operation
  /** the field the answer must name, e.g. `body.title`, `query.q`, `params.externalId` */
  field: string
  url: string
  payload?: unknown
}

// a value that passes a parameter's own checks, so only the field under test is wrong
const validFor = (p: Parameter) =>
  p.schema.format === 'uuid' ? randomUUID() : typeof p.schema.enum?.[0] === 'string' ? p.schema.enum[0] : 'x'

function urlWith(op: Operation, where: Parameter['in'], name: string, value: string): string {
  const path: Record<string, string> = {}
  const query = new URLSearchParams()
  for (const p of op.parameters) {
    const v = p.in === where && p.name === name ? value : validFor(p)
    if (p.in === 'path') path[p.name] = v
    else if (p.in === 'query' && (p.required || p.name === name)) query.set(p.name, String(v))
  }
  const qs = query.toString()
  return `${fillPath(op.path, path)}${qs ? `?${qs}` : ''}`
}

const PART: Record<string, string> = { path: 'params', query: 'query' }
const isTime = (s: Schema) => s.format === 'date-time'

/** One request per string the API takes, per bad value: every parameter in the URL, every body field. */
function cases(doc: Document): Case[] {
  const out: Case[] = []
  for (const op of operations(doc)) {
    for (const p of op.parameters) {
      // a header cannot carry NUL (Node's parser refuses it) nor a lone surrogate (headers are bytes)
      if (p.in !== 'path' && p.in !== 'query') continue
      if (p.schema.type !== 'string') continue
      const field = `${PART[p.in]}.${p.name}`
      // a URL carries NUL as %00; a lone surrogate has no UTF-8 form to percent-encode
      out.push({ name: `${op.key} ${field} NUL`, op, field, url: urlWith(op, p.in, p.name, NUL) })
      if (isTime(p.schema)) {
        for (const v of OUT_OF_RANGE_TIMES)
          out.push({ name: `${op.key} ${field} ${v}`, op, field, url: urlWith(op, p.in, p.name, v) })
      }
    }
    const body = jsonBody(op)
    if (!body) continue
    for (const slot of stringSlots(doc, body)) {
      const field = ['body', ...slot.path].join('.')
      const url = urlWith(op, 'body' as never, '', '')
      for (const bad of [NUL, ...LONE_SURROGATES, ...(isTime(slot.schema) ? OUT_OF_RANGE_TIMES : [])]) {
        out.push({
          name: `${op.key} ${field} ${JSON.stringify(bad)}`,
          op,
          field,
          url,
          payload: placeAt(slot.path, bad),
        })
      }
    }
  }
  return out
}

describe('every string the API takes', () => {
  let admin: GivenUser
  let all: Case[]
  beforeAll(async () => {
    admin = await given.admin(t.app)
    all = cases((await t.app.inject({ method: 'GET', url: '/openapi.json' })).json())
  })

  it('covers the routes that take strings (the document is read, not a list kept here)', () => {
    const fields = new Set(all.map((c) => `${c.op.key} ${c.field}`))
    for (const f of [
      'POST /api/v1/tasks body.title',
      'GET /api/v1/tasks query.q',
      'GET /api/v1/users query.q',
      'GET /api/v1/users/by-external-id/{externalId} params.externalId',
      'POST /api/v1/tasks/{id}/comments body.body',
      'POST /api/v1/teams body.name',
      'POST /api/v1/projects body.description',
      'GET /api/v1/tasks query.dueBefore',
      'GET /api/v1/dashboard/metrics query.to',
      'POST /api/v1/teams/{id}/webhooks body.events.0',
    ]) {
      expect(fields, f).toContain(f)
    }
    expect(all.length).toBeGreaterThan(200)
  })

  it('answers NUL, a lone surrogate or a year outside 0001..9999 with a 400 naming the field', {
    timeout: 180_000,
  }, async () => {
    const wrong: string[] = []
    for (const c of all) {
      const res = await t.app.inject({
        method: c.op.method as 'GET',
        url: c.url,
        headers: { ...admin.auth, ...(c.payload === undefined ? {} : { 'content-type': 'application/json' }) },
        // sent as JSON text: JSON.stringify writes a lone surrogate as its \ud800 escape
        payload: c.payload === undefined ? undefined : JSON.stringify(c.payload),
      })
      const body = String(res.headers['content-type']).startsWith('application/problem+json') ? res.json() : undefined
      const named = body?.errors?.some((e: { path: string }) => e.path === c.field)
      if (res.statusCode !== 400 || !named || body.requestId !== res.headers['x-request-id']) {
        wrong.push(`${c.name}: ${res.statusCode} ${res.body.slice(0, 300)}`)
      }
    }
    expect(wrong).toEqual([])
  })
})
