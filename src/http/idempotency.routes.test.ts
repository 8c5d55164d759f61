import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/app.ts'
import { FAIL_ANSWER_TRIGGER } from '../../test/fail-answer.ts'
import { multipartBody, pngBytes } from '../../test/files-app.ts'
import { type GivenUser, given } from '../../test/given.ts'
import { operations } from '../../test/openapi-doc.ts'

// every keyed create writes its rows and its key's answer in one transaction (issue 15 item 2):
// when the answer cannot be stored, nothing of the create is left, whatever the route
const t = useTestApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } })

interface World {
  admin: GivenUser
  owner: GivenUser
  other: GivenUser
  teamId: string
  taskId: string
}
interface KeyedCreate {
  table: string
  /** the create's success status: 201, or 202 for a job */
  status?: number
  as: (w: World) => GivenUser
  url: (w: World) => string
  body: (w: World) => object | { multipart: ReturnType<typeof multipartBody> }
}

const CREATES: Record<string, KeyedCreate> = {
  adminCreateUser: {
    table: 'users',
    as: (w) => w.admin,
    url: () => '/api/v1/admin/users',
    body: () => ({ email: given.email('made'), name: 'Made', password: 'a long enough passphrase' }),
  },
  createTeam: { table: 'teams', as: (w) => w.owner, url: () => '/api/v1/teams', body: () => ({ name: 'Keyed' }) },
  inviteToTeam: {
    table: 'team_invitations',
    as: (w) => w.owner,
    url: (w) => `/api/v1/teams/${w.teamId}/invitations`,
    body: () => ({ email: given.email('invited'), role: 'member' }),
  },
  addTeamMember: {
    table: 'team_members',
    as: (w) => w.owner,
    url: (w) => `/api/v1/teams/${w.teamId}/members`,
    body: (w) => ({ userId: w.other.id, role: 'member' }),
  },
  createProject: {
    table: 'projects',
    as: (w) => w.owner,
    url: () => '/api/v1/projects',
    body: (w) => ({ teamId: w.teamId, name: 'Keyed' }),
  },
  createTask: { table: 'tasks', as: (w) => w.owner, url: () => '/api/v1/tasks', body: () => ({ title: 'Keyed' }) },
  createNote: { table: 'notes', as: (w) => w.owner, url: () => '/api/v1/notes', body: () => ({ title: 'Keyed' }) },
  createAttachment: {
    table: 'attachments',
    as: (w) => w.owner,
    url: (w) => `/api/v1/tasks/${w.taskId}/attachments`,
    body: () => ({ multipart: multipartBody({ filename: 'keyed.png', content: pngBytes() }) }),
  },
  createComment: {
    table: 'comments',
    as: (w) => w.owner,
    url: (w) => `/api/v1/tasks/${w.taskId}/comments`,
    body: () => ({ body: 'Keyed' }),
  },
  createWebhook: {
    table: 'webhooks',
    as: (w) => w.owner,
    url: (w) => `/api/v1/teams/${w.teamId}/webhooks`,
    body: () => ({ url: 'http://127.0.0.1:9/hook', events: ['task.created'] }),
  },
  createExport: {
    table: 'jobs',
    status: 202,
    as: (w) => w.owner,
    url: () => '/api/v1/exports',
    body: (w) => ({ teamId: w.teamId, format: 'csv' }),
  },
  createReport: {
    table: 'jobs',
    status: 202,
    as: (w) => w.owner,
    url: () => '/api/v1/reports',
    body: (w) => ({ teamId: w.teamId, from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' }),
  },
  createTag: {
    table: 'tags',
    as: (w) => w.owner,
    url: () => '/api/v1/tags',
    body: (w) => ({ teamId: w.teamId, name: 'keyed', color: '#336699' }),
  },
}

let world: World
beforeAll(async () => {
  await t.database.sql.exec(FAIL_ANSWER_TRIGGER)
  const owner = await given.user(t.app)
  const team = await given.team(t.app, owner)
  const task = await given.task(t.app, owner)
  world = {
    admin: await given.admin(t.app),
    owner,
    other: await given.user(t.app),
    teamId: team.id,
    taskId: task.id,
  }
})

const count = async (table: string) =>
  (await t.database.sql.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n

function send(create: KeyedCreate, key: string, body: ReturnType<KeyedCreate['body']>) {
  const headers = { ...create.as(world).auth, 'idempotency-key': key }
  const url = create.url(world)
  if ('multipart' in body) {
    const { payload, headers: type } = body.multipart as ReturnType<typeof multipartBody>
    return t.app.inject({ method: 'POST', url, headers: { ...headers, ...type }, payload })
  }
  return t.app.inject({ method: 'POST', url, headers, payload: body })
}

describe('every keyed create', () => {
  it('is in the table below: each operation that takes an Idempotency-Key', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const keyed = operations(doc)
      .filter((op) => op.parameters.some((p) => p.in === 'header' && p.name === 'idempotency-key'))
      .map((op) => (doc.paths[op.path][op.method.toLowerCase()] as { operationId: string }).operationId)
    expect(keyed.sort()).toEqual(Object.keys(CREATES).sort())
  })

  it.each(Object.keys(CREATES))('%s leaves nothing when its answer cannot be stored, then creates once', async (op) => {
    const create = CREATES[op]!
    const body = create.body(world)
    const before = await count(create.table)
    const failed = await send(create, `fail-answer-${op}`, body)
    expect(failed.statusCode, failed.body).toBe(503)
    expect(failed.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(failed.headers['x-request-id']).toBe(failed.json().requestId)
    expect(failed.headers.location).toBeUndefined()
    expect(await count(create.table)).toBe(before)

    const created = await send(create, `ok-${op}`, body)
    expect(created.statusCode, created.body).toBe(create.status ?? 201)
    expect(created.headers['idempotent-replayed']).toBeUndefined()
    const replayed = await send(create, `ok-${op}`, body)
    expect(replayed.statusCode).toBe(create.status ?? 201)
    expect(replayed.headers['idempotent-replayed']).toBe('true')
    expect(replayed.body).toBe(created.body)
    expect(await count(create.table)).toBe(before + 1)
    expect(t.logs.filter((l) => l.msg === 'keyed create answered outside its claiming transaction')).toEqual([])
  })
})
