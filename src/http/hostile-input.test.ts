import { randomUUID } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/app.ts'
import { type GivenTeam, type GivenUser, given } from '../../test/given.ts'
import { fillPath, operations, parameterCollection } from '../../test/openapi-doc.ts'
import { isStorableText } from '../lib/text.ts'

// the reproductions of issue 15, item 5: each was a 500 (on both databases)
const t = useTestApp()

function expectInvalid(res: LightMyRequestResponse, field: string) {
  expect(res.statusCode, JSON.stringify(res.json())).toBe(400)
  expect(res.headers['content-type']).toBe('application/problem+json')
  const body = res.json()
  expect(body.requestId).toBe(res.headers['x-request-id'])
  expect(body.errors.map((e: { path: string }) => e.path)).toContain(field)
}

describe('strings the database cannot store', () => {
  let user: GivenUser
  let taskId: string
  beforeAll(async () => {
    user = await given.user(t.app)
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: user.auth,
      payload: { title: 'ok' },
    })
    taskId = res.json().id
  })

  it('refuses a NUL in a task title and writes nothing', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: { ...user.auth, 'content-type': 'application/json' },
      payload: '{"title":"nul\\u0000title"}',
    })
    expectInvalid(res, 'body.title')
    const { rows } = await t.app.database.sql.query(`select 1 from tasks where title like 'nul%title'`)
    expect(rows).toEqual([])
  })

  it('refuses a lone surrogate in a comment and writes nothing (it used to fail in the activity log)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tasks/${taskId}/comments`,
      headers: { ...user.auth, 'content-type': 'application/json' },
      payload: '{"body":"\\ud800"}',
    })
    expectInvalid(res, 'body.body')
    const { rows } = await t.app.database.sql.query('select 1 from comments where task_id = $1', [taskId])
    expect(rows).toEqual([])
  })

  it('refuses a lone surrogate in team and project names and descriptions', async () => {
    const team = await given.team(t.app, user)
    const renamed = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/teams/${team.id}`,
      headers: { ...user.auth, 'content-type': 'application/json' },
      payload: '{"name":"x\\udfff"}',
    })
    expectInvalid(renamed, 'body.name')
    const project = await t.app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: { ...user.auth, 'content-type': 'application/json' },
      payload: `{"teamId":"${team.id}","name":"p","description":"\\udc00x"}`,
    })
    expectInvalid(project, 'body.description')
  })

  it.each([
    ['/api/v1/tasks?q=%00', 'query.q'],
    ['/api/v1/users?q=%00', 'query.q'],
    ['/api/v1/users/by-external-id/%00', 'params.externalId'],
  ])('refuses NUL in %s', async (url, field) => {
    expectInvalid(await t.app.inject({ method: 'GET', url, headers: user.auth }), field)
  })
})

describe('timestamps outside years 0001..9999', () => {
  let user: GivenUser
  let team: GivenTeam
  beforeAll(async () => {
    user = await given.user(t.app)
    team = await given.team(t.app, user)
  })

  it('are a 400 naming dueAt, dueBefore and the dashboard range', async () => {
    const create = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: user.auth,
      payload: { title: 'year zero', dueAt: '0000-01-01T00:00:00Z' },
    })
    expectInvalid(create, 'body.dueAt')
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tasks?dueBefore=0000-01-01T00:00:00Z',
      headers: user.auth,
    })
    expectInvalid(list, 'query.dueBefore')
    const dashboard = await t.app.inject({
      method: 'GET',
      url: `/api/v1/dashboard/metrics?teamId=${team.id}&to=0000-01-01T00:00:00Z`,
      headers: user.auth,
    })
    expectInvalid(dashboard, 'query.to')
  })

  it('lets the dashboard default range start at year 0001 when `to` is just after it', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/dashboard/metrics?teamId=${team.id}&to=0001-01-02T00:00:00Z`,
      headers: user.auth,
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().weeklyThroughput).toEqual([{ weekStart: '0001-01-01T00:00:00.000Z', created: 0, completed: 0 }])
  })

  it('keeps the last instants of year 9999', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: user.auth,
      payload: { title: 'far away', dueAt: '9999-12-31T23:59:59.999Z' },
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().dueAt).toBe('9999-12-31T23:59:59.999Z')
  })
})

// what each list's cursor holds, forged (as JSON text: some numbers have no JavaScript literal):
// numbers no column type holds, a year zero, a day that does not exist, text PostgreSQL refuses, a
// float4 that rounds to zero or overflows, a value of the wrong kind
const id = () => JSON.stringify(randomUUID())
const FORGED = [
  '[99999999999999999999999,"x"]',
  '[1e308,"x"]',
  `["0000-01-01T00:00:00.000Z",${id()}]`,
  `["2026-02-30T00:00:00.000Z",${id()}]`,
  `["1",${id()}]`,
  `["a\\u0000",${id()}]`,
  `["\\ud800",${id()}]`,
  '[99999999999999999999999]',
  '[9007199254740993]',
  `["-createdAt","0000-01-01T00:00:00.000Z",${id()}]`,
  `["priority",10000000000,"2026-01-01T00:00:00.000Z",${id()}]`,
  `["position",1e400,${id()}]`,
  `["relevance",1e-50,${id()}]`,
  `["relevance",1e39,${id()}]`,
].map((json) => Buffer.from(json).toString('base64url'))

// a tag's name is any text: a cursor of text and an id is one the tag list may have written
const validForTags = (cursor: string) => {
  const values = JSON.parse(Buffer.from(cursor, 'base64url').toString())
  return values.length === 2 && typeof values[0] === 'string' && isStorableText(values[0])
}

describe('a forged cursor on every list', () => {
  let user: GivenUser
  const ids: Record<string, string> = {}
  const params: Record<string, Record<string, string>> = {}
  beforeAll(async () => {
    // an admin, so that the admin lists read the cursor too
    user = await given.admin(t.app)
    const team = await given.team(t.app, user)
    await given.project(t.app, team, user)
    const task = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: user.auth,
      payload: { title: 't' },
    })
    const hook = await given.webhook(t.app, user, team.id, { url: 'http://93.184.216.34/hook' })
    Object.assign(ids, { tasks: task.json().id, teams: team.id, webhooks: hook.id })
    // lists that need a filter get one the caller may use
    params['GET /api/v1/tags'] = { teamId: team.id }
  })

  it('is a 400 naming query.cursor, whatever the list and the sort', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const lists = operations(doc).filter((op) => op.parameters.some((p) => p.in === 'query' && p.name === 'cursor'))
    expect(lists.length).toBeGreaterThanOrEqual(14)
    const wrong: string[] = []
    for (const op of lists) {
      const path: Record<string, string> = {}
      for (const p of op.parameters.filter((p) => p.in === 'path')) {
        path[p.name] = ids[parameterCollection(op.path, p.name)] ?? randomUUID()
      }
      const sorts = op.parameters.some((p) => p.name === 'sort')
        ? ['', '&sort=priority', '&sort=position', '&q=x']
        : ['']
      for (const cursor of FORGED) {
        for (const sort of sorts) {
          const query = new URLSearchParams({ ...params[op.key], cursor }).toString()
          const url = `${fillPath(op.path, path)}?${query}${sort}`
          const res = await t.app.inject({ method: 'GET', url, headers: user.auth })
          const named =
            res.statusCode === 400 && res.json().errors?.some((e: { path: string }) => e.path === 'query.cursor')
          const fine = op.key === 'GET /api/v1/tags' && validForTags(cursor) ? res.statusCode === 200 : named
          if (!fine)
            wrong.push(
              `${op.key} ${Buffer.from(cursor, 'base64url')}${sort}: ${res.statusCode} ${res.body.slice(0, 200)}`,
            )
        }
      }
    }
    expect(wrong).toEqual([])
  })

  it('still pages through a list with the cursors it wrote', async () => {
    for (let i = 0; i < 3; i++) {
      await t.app.inject({ method: 'POST', url: '/api/v1/notes', headers: user.auth, payload: { title: `n${i}` } })
    }
    const first = (await t.app.inject({ method: 'GET', url: '/api/v1/notes?limit=2', headers: user.auth })).json()
    expect(first.nextCursor).toEqual(expect.any(String))
    const second = await t.app.inject({
      method: 'GET',
      url: `/api/v1/notes?limit=2&cursor=${first.nextCursor}`,
      headers: user.auth,
    })
    expect(second.statusCode).toBe(200)
    expect(second.json().items).toHaveLength(1)
  })
})
