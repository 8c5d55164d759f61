import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { type GivenUser, given, type Task, type TaskWorld } from '../../../test/given.ts'
import { archiveProject, getJson, walkTasks } from '../../../test/tasks.ts'

const t = useTestApp()

type Page = { items: Task[]; nextCursor: string | null }

/** Titles of the whole list, walked `limit` items at a time. */
async function titles(by: GivenUser, query: string, limit = 100): Promise<string[]> {
  const out: string[] = []
  let cursor: string | null = null
  do {
    const page: Page = await getJson(
      t.app,
      by,
      `/api/v1/tasks?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    )
    out.push(...page.items.map((i) => i.title))
    cursor = page.nextCursor
  } while (cursor)
  return out
}

const sorted = (xs: string[]) => [...xs].sort()

describe('filters', () => {
  let w: TaskWorld
  let q: string
  const ids: Record<string, string> = {}
  beforeAll(async () => {
    w = await given.taskWorld(t.app)
    const b = await given.tag(t.app, w.team, w.owner, { name: 'b-tag' })
    const archived = await given.project(t.app, w.team, w.owner, { name: 'Archived' })
    const p = w.project.id
    const make = async (title: string, body: Record<string, unknown>) => {
      ids[title] = (await given.task(t.app, w.member, { projectId: p, title, ...body })).id
    }
    await make('T1', { priority: 'low', dueAt: '2020-01-01T00:00:00Z', assigneeId: w.member.id, tagIds: [w.tag.id] })
    await make('T2', {
      status: 'in_progress',
      priority: 'high',
      dueAt: '2099-01-01T00:00:00Z',
      assigneeId: w.admin.id,
      tagIds: [w.tag.id, b.id],
    })
    await make('T3', { status: 'done', priority: 'urgent', dueAt: '2020-01-01T00:00:00Z' })
    await make('T4', { status: 'cancelled', tagIds: [b.id] })
    await make('T5 Quarterly budget report', { parentId: ids.T1 })
    await make('T7', {
      status: 'in_progress',
      priority: 'urgent',
      dueAt: '2030-06-01T00:00:00Z',
      description: 'The budget',
    })
    await given.task(t.app, w.member, { projectId: archived.id, title: 'T6' })
    await archiveProject(t.app, archived.id)
    ids.archived = archived.id
    ids.b = b.id
    q = `teamId=${w.team.id}`
  })
  const all = ['T1', 'T2', 'T3', 'T4', 'T5 Quarterly budget report', 'T7']
  const T5 = 'T5 Quarterly budget report'

  it.each([
    ['no filter: everything but archived projects', '', all],
    ['status (comma list)', 'status=todo,in_progress', ['T1', 'T2', T5, 'T7']],
    ['priority (comma list)', 'priority=urgent,high', ['T2', 'T3', 'T7']],
    ['assigneeId=none', 'assigneeId=none', ['T3', 'T4', T5, 'T7']],
    ['dueBefore (exclusive)', 'dueBefore=2030-06-01T00:00:00.000Z', ['T1', 'T3']],
    ['dueAfter (inclusive)', 'dueAfter=2030-06-01T00:00:00.000Z', ['T2', 'T7']],
    ['dueAfter and dueBefore', 'dueAfter=2020-01-01T00:00:00Z&dueBefore=2031-01-01T00:00:00Z', ['T1', 'T3', 'T7']],
    ['overdue=true: past due and open', 'overdue=true', ['T1']],
    ['overdue=false', 'overdue=false', ['T2', 'T3', 'T4', T5, 'T7']],
    ['parentId=none: top level only', 'parentId=none', ['T1', 'T2', 'T3', 'T4', 'T7']],
    ['q over title and description', 'q=budget', [T5, 'T7']],
    ['q with web search syntax', 'q=budget -quarterly', ['T7']],
    [
      'every filter at once',
      'status=todo&priority=low&assigneeId=me&overdue=true&parentId=none&dueBefore=2021-01-01T00:00:00Z',
      ['T1'],
    ],
  ])('%s', async (_, filter, expected) => {
    expect(sorted(await titles(w.member, `${q}&${filter}`))).toEqual(sorted(expected))
  })

  it('assigneeId=me and a user id', async () => {
    expect(await titles(w.member, `${q}&assigneeId=me`)).toEqual(['T1'])
    expect(await titles(w.member, `${q}&assigneeId=${w.admin.id}`)).toEqual(['T2'])
  })

  it('tag: any of the listed tags, each task once', async () => {
    expect(sorted(await titles(w.member, `${q}&tag=${w.tag.id}`))).toEqual(['T1', 'T2'])
    expect(sorted(await titles(w.member, `${q}&tag=${ids.b}`))).toEqual(['T2', 'T4'])
    expect(sorted(await titles(w.member, `${q}&tag=${w.tag.id},${ids.b}`))).toEqual(['T2', 'T4', 'T1'].sort())
  })

  it("parentId=<id>: that task's subtasks", async () => {
    expect(await titles(w.member, `${q}&parentId=${ids.T1}`)).toEqual([T5])
  })

  it('projectId: that project, archived or not', async () => {
    expect(await titles(w.member, `projectId=${ids.archived}`)).toEqual(['T6'])
    expect(sorted(await titles(w.member, `projectId=${w.project.id}`))).toEqual(sorted(all))
  })

  it('without projectId or teamId: every task the caller can see, in every team', async () => {
    const mine = await given.task(t.app, w.member, { title: 'In my Inbox' })
    const list = await walkTasks(t.app, w.member, '')
    expect(sorted(list.map((x) => x.title))).toEqual(sorted([...all, 'In my Inbox']))
    expect(list.find((x) => x.id === mine.id)?.teamId).not.toBe(w.team.id)
  })

  it('answers 404 for a team or project the caller cannot see', async () => {
    for (const query of [`teamId=${w.outsiderTeam.id}`, `projectId=${w.project.id}`]) {
      const as = query.startsWith('team') ? w.member : w.outsider
      const res = await t.app.inject({ url: `/api/v1/tasks?${query}`, headers: as.auth })
      expect(res.statusCode, query).toBe(404)
    }
  })

  it.each([
    ['status=finished', 'query.status'],
    ['priority=', 'query.priority'],
    ['assigneeId=someone', 'query.assigneeId'],
    ['parentId=top', 'query.parentId'],
    ['tag=red', 'query.tag'],
    ['dueBefore=soon', 'query.dueBefore'],
    ['overdue=yes', 'query.overdue'],
    ['sort=title', 'query.sort'],
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['limit=ten', 'query.limit'],
    ['cursor=garbage', 'query.cursor'],
    [`q=${'x'.repeat(201)}`, 'query.q'],
  ])('rejects %s with 400', async (query, path) => {
    const res = await t.app.inject({ url: `/api/v1/tasks?${query}`, headers: w.member.auth })
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json().errors.map((e: { path: string }) => e.path.split('.').slice(0, 2).join('.'))).toContain(path)
  })

  it('rejects a cursor of another sort or a tampered one with 400', async () => {
    const page: Page = await getJson(t.app, w.member, `/api/v1/tasks?${q}&limit=1`)
    const res = await t.app.inject({
      url: `/api/v1/tasks?${q}&sort=dueAt&cursor=${page.nextCursor}`,
      headers: w.member.auth,
    })
    expect(res.statusCode).toBe(400)
    const tampered = Buffer.from(JSON.stringify(['-createdAt', 'not a date', 'x'])).toString('base64url')
    const bad = await t.app.inject({ url: `/api/v1/tasks?${q}&cursor=${tampered}`, headers: w.member.auth })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0].path).toBe('query.cursor')
  })
})

describe('sorts (walked two at a time, across pages)', () => {
  let w: TaskWorld
  let q: string
  beforeAll(async () => {
    w = await given.taskWorld(t.app)
    q = `projectId=${w.project.id}`
    const make = (title: string, body: Record<string, unknown>) =>
      given.task(t.app, w.member, { projectId: w.project.id, title, ...body })
    await make('a', { priority: 'low', dueAt: '2030-01-03T00:00:00Z' })
    await make('b', { priority: 'urgent' })
    await make('c', { priority: 'low', dueAt: '2030-01-01T00:00:00Z' })
    await make('d', { priority: 'high', dueAt: '2030-01-02T00:00:00Z' })
    await make('e', { priority: 'urgent' })
  })

  it.each([
    ['default: newest first', '', ['e', 'd', 'c', 'b', 'a']],
    ['-createdAt', 'sort=-createdAt', ['e', 'd', 'c', 'b', 'a']],
    ['createdAt', 'sort=createdAt', ['a', 'b', 'c', 'd', 'e']],
    ['dueAt: soonest first, tasks without dueAt last', 'sort=dueAt', ['c', 'd', 'a', 'b', 'e']],
    ['-dueAt: latest first, tasks without dueAt still last', 'sort=-dueAt', ['a', 'd', 'c', 'e', 'b']],
    ['-priority: most urgent first, newest first among equals', 'sort=-priority', ['e', 'b', 'd', 'c', 'a']],
    ['priority: least urgent first, oldest first among equals', 'sort=priority', ['a', 'c', 'd', 'b', 'e']],
    ['position: creation order by default', 'sort=position', ['a', 'b', 'c', 'd', 'e']],
  ])('%s', async (_, sort, expected) => {
    expect(await titles(w.member, `${q}&${sort}`, 2)).toEqual(expected)
  })

  it('position and updatedAt follow changes', async () => {
    const list = await walkTasks(t.app, w.member, q)
    const byTitle = Object.fromEntries(list.map((x) => [x.title, x]))
    const move = (title: string, position: number) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/v1/tasks/${byTitle[title]!.id}`,
        headers: w.member.auth,
        payload: { position },
      })
    await move('e', 0.5)
    await move('a', 3.5)
    expect(await titles(w.member, `${q}&sort=position`, 2)).toEqual(['e', 'b', 'c', 'a', 'd'])
    expect(await titles(w.member, `${q}&sort=-position`, 2)).toEqual(['d', 'a', 'c', 'b', 'e'])
    expect(await titles(w.member, `${q}&sort=-updatedAt`, 2)).toEqual(['a', 'e', 'd', 'c', 'b'])
    expect(await titles(w.member, `${q}&sort=updatedAt`, 2)).toEqual(['b', 'c', 'd', 'e', 'a'])
  })
})

describe('full-text search', () => {
  it('ranks a title match above a description match above attachment text, and pages by rank', async () => {
    const w = await given.taskWorld(t.app)
    const make = (title: string, description?: string) =>
      given.task(t.app, w.member, { projectId: w.project.id, title, description })
    const inAttachment = await make('Scanned papers')
    await t.database.sql.query("update tasks set attachment_text = 'the invoice from ACME' where id = $1", [
      inAttachment.id,
    ])
    await make('Call the plumber', 'and pay his invoice')
    await make('Invoice for March')
    await make('Unrelated')
    const q = `projectId=${w.project.id}&q=invoices`
    expect(await titles(w.member, q, 1)).toEqual(['Invoice for March', 'Call the plumber', 'Scanned papers'])
    expect(sorted(await titles(w.member, `${q}&sort=createdAt`))).toEqual(
      sorted(['Invoice for March', 'Call the plumber', 'Scanned papers']),
    )
  })
})

describe('full-text search pages', () => {
  it('orders equal ranks by id and walks them across pages, every task once, while matches are added', async () => {
    const w = await given.taskWorld(t.app)
    // random ids (not time-ordered), so ties in rank are broken by an order unrelated to creation
    const insert = async (title: string, description: string | null, count: number) => {
      const { rows } = await t.database.sql.query<{ id: string }>(
        `insert into tasks (id, team_id, project_id, title, description, position)
         select gen_random_uuid(), $1, $2, $3 || ' ' || g, $4, g from generate_series(1, $5::int) g returning id`,
        [w.team.id, w.project.id, title, description, count],
      )
      return rows.map((r) => r.id).sort((a, b) => b.localeCompare(a))
    }
    // three ranks, each shared by several tasks: title and description, title only, description only
    const expected = [
      ...(await insert('Invoice twice', 'the invoice', 3)),
      ...(await insert('Invoice', null, 7)),
      ...(await insert('Errand', 'an invoice to pay', 7)),
    ]
    await insert('Errand', 'nothing to see', 3)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: Page = await getJson(
        t.app,
        w.member,
        `/api/v1/tasks?teamId=${w.team.id}&q=invoice&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      )
      seen.push(...page.items.map((x) => x.id))
      cursor = page.nextCursor
      // one more task of each rank, before or after the cursor's place in its rank
      await insert('Invoice twice', 'the invoice', 1)
      await insert('Invoice', null, 1)
      await insert('Errand', 'an invoice to pay', 1)
    } while (cursor)
    expect(seen.filter((id) => expected.includes(id))).toEqual(expected)
    expect(new Set(seen).size).toBe(seen.length)
  })
})

describe('keyset pagination', () => {
  it('walks a 500-task list while tasks are inserted: every pre-existing task exactly once, in order', async () => {
    const w = await given.taskWorld(t.app)
    const project = { id: w.project.id, teamId: w.team.id }
    const before = new Set(await given.tasks(t.app, project, 500))
    const sorts = ['', 'sort=createdAt', 'sort=dueAt', 'sort=-dueAt', 'sort=-priority', 'sort=position']
    let inserted = 0
    for (const sort of sorts) {
      const seen: Task[] = []
      let cursor: string | null = null
      do {
        const page: Page = await getJson(
          t.app,
          w.member,
          `/api/v1/tasks?teamId=${w.team.id}&${sort}&limit=37${cursor ? `&cursor=${cursor}` : ''}`,
        )
        seen.push(...page.items)
        cursor = page.nextCursor
        // new tasks land before, inside and after the part already read
        const late = await given.tasks(t.app, project, 3, { title: 'Late' })
        await t.database.sql.query(
          `update tasks set created_at = now() - random() * interval '1 hour', position = random() * 100000
           where id = any($1::uuid[])`,
          [late],
        )
        inserted += 3
      } while (cursor)
      const old = seen.filter((x) => before.has(x.id))
      expect(old.length, sort).toBe(500)
      expect(new Set(old.map((x) => x.id)).size, sort).toBe(500)
      expect(new Set(seen.map((x) => x.id)).size, sort).toBe(seen.length)
    }
    expect(inserted).toBeGreaterThan(0)
  })
})

describe('queries per list', () => {
  it('serves a page of 100 tasks with tags, assignee and subtask counts in a fixed number of statements', async () => {
    const w = await given.taskWorld(t.app)
    const second = await given.tag(t.app, w.team, w.owner, { name: 'second' })
    const parents: Task[] = []
    for (let i = 0; i < 50; i++) {
      parents.push(
        await given.task(t.app, w.member, {
          projectId: w.project.id,
          assigneeId: i % 2 ? w.member.id : w.admin.id,
          tagIds: i % 3 ? [w.tag.id, second.id] : [w.tag.id],
          dueAt: i % 4 ? '2030-01-01T00:00:00Z' : undefined,
        }),
      )
    }
    for (const parent of parents) await given.task(t.app, w.member, { projectId: w.project.id, parentId: parent.id })
    const count = async (query: string) => {
      t.queries.length = 0
      const page: Page = await getJson(t.app, w.member, `/api/v1/tasks?${query}`)
      return { n: t.queries.length, page }
    }
    for (const sort of ['', '&sort=dueAt', '&sort=-priority']) {
      const one = await count(`projectId=${w.project.id}&limit=1${sort}`)
      const hundred = await count(`projectId=${w.project.id}&limit=100${sort}`)
      expect(hundred.page.items).toHaveLength(100)
      // a sort on the nullable dueAt reads the tasks with a dueAt, then (when the page is not full) those without
      expect(hundred.n, sort).toBeLessThanOrEqual(one.n + (sort.includes('dueAt') ? 1 : 0))
      expect(hundred.n, sort).toBeLessThanOrEqual(3)
    }
    const { page } = await count(`projectId=${w.project.id}&limit=100&parentId=none`)
    expect(page.items.every((x) => x.subtaskCount === 1 && x.tags.length >= 1 && x.assignee !== null)).toBe(true)
  })
})

describe('the scope check of a list', () => {
  it('costs no statement when the page has tasks, and still tells an empty team from one the caller cannot see', async () => {
    const w = await given.taskWorld(t.app)
    await given.task(t.app, w.member, { projectId: w.project.id })
    const statements = async (by: GivenUser, query: string) => {
      await t.app.inject({ method: 'GET', url: '/api/v1/tasks?limit=1', headers: by.auth }) // warms the auth cache
      t.queries.length = 0
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/tasks?${query}`, headers: by.auth })
      return { status: res.statusCode, n: t.queries.length }
    }
    for (const query of [`teamId=${w.team.id}`, `projectId=${w.project.id}`]) {
      expect(await statements(w.member, query)).toEqual({ status: 200, n: 1 })
      // no match: the page is empty, so the team or project is checked (visible: an empty 200)
      expect(await statements(w.member, `${query}&q=nothingmatchesthis`)).toEqual({ status: 200, n: 2 })
      expect((await statements(w.outsider, query)).status).toBe(404)
    }
  })
})
