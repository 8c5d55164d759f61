import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/app.ts'
import { type GivenUser, given } from '../../test/given.ts'
import { type Operation, operations } from '../../test/openapi-doc.ts'

// API.md: a list filtered by a container the caller cannot see is a 404, not an empty page (issue 15
// item 7 found GET /notes?projectId= answering 200). Every list in the document is held to it.
const t = useTestApp()

const CONTAINERS = ['teamId', 'projectId', 'taskId', 'parentId'] as const
type Container = (typeof CONTAINERS)[number]

interface World {
  teamId: string
  projectId: string
  taskId: string
  parentId: string
}

async function worldOf(user: GivenUser): Promise<World> {
  const team = await given.team(t.app, user)
  const project = await given.project(t.app, team, user)
  const task = await t.app.inject({
    method: 'POST',
    url: '/api/v1/tasks',
    headers: user.auth,
    payload: { title: 'a task', projectId: project.id },
  })
  expect(task.statusCode, task.body).toBe(201)
  // a shared note, so that the notes list has something under the project
  await t.app.inject({
    method: 'POST',
    url: '/api/v1/notes',
    headers: user.auth,
    payload: { title: 'a note', projectId: project.id },
  })
  return { teamId: team.id, projectId: project.id, taskId: task.json().id, parentId: task.json().id }
}

/** The list's URL with `name=value`, and valid values (the caller's own containers) for what it requires. */
function urlOf(op: Operation, own: World, name: Container, value: string): string {
  const query = new URLSearchParams()
  for (const p of op.parameters) {
    if (p.in !== 'query') continue
    if (p.name === name) query.set(p.name, value)
    else if (p.required && p.name in own) query.set(p.name, own[p.name as Container])
    else if (p.required && typeof p.schema.enum?.[0] === 'string') query.set(p.name, p.schema.enum[0])
  }
  return `${op.path}?${query}`
}

describe('a list filtered by a container', () => {
  let me: GivenUser
  let mine: World
  let theirs: World
  let lists: { op: Operation; name: Container }[]
  beforeAll(async () => {
    me = await given.user(t.app)
    mine = await worldOf(me)
    theirs = await worldOf(await given.user(t.app))
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    lists = operations(doc)
      // admins see every team: their lists have no invisible container
      .filter((op) => op.method === 'GET' && !op.path.includes('/admin/'))
      .flatMap((op) =>
        CONTAINERS.filter((name) => op.parameters.some((p) => p.in === 'query' && p.name === name)).map((name) => ({
          op,
          name,
        })),
      )
  })

  it('covers the lists with container filters (read from the document)', () => {
    const keys = lists.map((l) => `${l.op.path} ${l.name}`)
    for (const k of [
      '/api/v1/notes projectId',
      '/api/v1/tasks projectId',
      '/api/v1/tasks teamId',
      '/api/v1/tasks parentId',
      '/api/v1/projects teamId',
      '/api/v1/tags teamId',
      '/api/v1/activity taskId',
      '/api/v1/changes teamId',
      '/api/v1/dashboard/metrics projectId',
    ]) {
      expect(keys).toContain(k)
    }
  })

  it("is a 404 for another team's container and for one that does not exist, and 200 for the caller's own", async () => {
    const wrong: string[] = []
    for (const { op, name } of lists) {
      for (const [value, status] of [
        [theirs[name], 404],
        [randomUUID(), 404],
        [mine[name], 200],
      ] as const) {
        const url = urlOf(op, mine, name, value)
        const res = await t.app.inject({ method: 'GET', url, headers: me.auth })
        const problem = status === 404 ? res.json().type === 'urn:tasklane:problem:not-found' : true
        if (res.statusCode !== status || !problem) wrong.push(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`)
      }
    }
    expect(wrong).toEqual([])
  })
})
