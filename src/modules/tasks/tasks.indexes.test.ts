import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { testDatabaseUrl } from '../../../test/db.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { getJson } from '../../../test/tasks.ts'
import type { Actor } from '../../http/auth.ts'
import { pageStatements } from './tasks.list.ts'
import { taskFilters } from './tasks.queries.ts'
import { TaskQuery } from './tasks.schema.ts'

const t = useTestApp()

// plans on PGlite mean little (no statistics worth the name, one session): PostgreSQL only
describe.skipIf(!testDatabaseUrl())('every list query is served by an index (EXPLAIN on PostgreSQL)', () => {
  let user: GivenUser
  let actor: Actor
  let admin: Actor
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    user = await given.user(t.app)
    actor = { userId: user.id, role: 'user', scopes: [], via: 'session' }
    admin = { ...actor, role: 'admin' }
    const sql = t.database.sql
    // 200 teams × 2 projects × 25 tasks (10 000), with tags, assignees, subtasks and due dates; the user, is in 2 teams
    await sql.exec(`
      insert into teams (id, name) select gen_random_uuid(), 'Bulk ' || g from generate_series(1, 200) g;
      insert into projects (id, team_id, name)
        select gen_random_uuid(), t.id, 'P' || p from teams t, generate_series(1, 2) p where t.name like 'Bulk %';
      insert into tags (id, team_id, name, color)
        select gen_random_uuid(), t.id, 'tag' || g, '#123456' from teams t, generate_series(1, 3) g where t.name like 'Bulk %';
      insert into tasks (id, team_id, project_id, title, description, priority_rank, status, due_at, position,
                         created_at, updated_at)
        select gen_random_uuid(), p.team_id, p.id,
               'Task ' || g || ' ' || (array['alpha', 'bravo', 'charlie', 'delta'])[1 + g % 4]
                 || case when (p.name = 'P1' and g % 9 = 0) then ' zulu' else '' end,
               'about the ' || (array['report', 'meeting', 'budget', 'invoice', 'design'])[1 + g % 5], 1 + g % 4,
               (array['todo', 'in_progress', 'done', 'cancelled'])[1 + (g / 3) % 4],
               case when g % 5 = 0 then null else now() + (g - 12) * interval '1 day' end, g,
               now() - g * interval '1 minute', now() - g * interval '1 second'
        from projects p join teams t on t.id = p.team_id, generate_series(1, 25) g where t.name like 'Bulk %';
      update tasks s set parent_id = (select id from tasks p where p.project_id = s.project_id and p.position = 1)
        where s.position::int % 7 = 0 and s.title like 'Task %';
      update tasks set title = title || ' yankee' where id in (select id from tasks order by id limit 5);
      insert into task_tags (task_id, tag_id)
        select k.id, g.id from tasks k join tags g on g.team_id = k.team_id
        where k.position::int % 3 = 0 and g.name = 'tag' || (1 + k.position::int % 3);
    `)
    const { rows: teams } = await sql.query<{ id: string }>(
      "select id from teams where name like 'Bulk %' order by name limit 2",
    )
    for (const team of teams) {
      await sql.query("insert into team_members (team_id, user_id, role) values ($1, $2, 'member')", [team.id, user.id])
    }
    await sql.query('update tasks set assignee_id = $1 where team_id = any($2::uuid[]) and position::int % 4 = 0', [
      user.id,
      teams.map((x) => x.id),
    ])
    const pick = async (q: string, params: unknown[] = []) => (await sql.query<{ id: string }>(q, params)).rows[0]!.id
    ids.team = teams[0]!.id
    ids.project = await pick('select id from projects where team_id = $1 limit 1', [ids.team])
    ids.tag = await pick("select id from tags where team_id = $1 and name = 'tag1'", [ids.team])
    ids.parent = await pick('select id from tasks where project_id = $1 and position = 1', [ids.project])
    // as autovacuum would: statistics, and the GIN index's pending list merged
    await sql.exec('vacuum analyze')
  })

  async function plansOf(who: Actor, input: Record<string, string>) {
    const query = TaskQuery.parse(input)
    const { main, nulls } = pageStatements(t.database.db, taskFilters(who, query, new Date()), query)
    const plans: string[] = []
    for (const statement of [main, nulls]) {
      if (!statement) continue
      const { sql, params } = statement(query.limit + 1).toSQL()
      const { rows } = await t.database.sql.query<{ 'QUERY PLAN': string }>(`explain ${sql}`, params)
      plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'))
    }
    return plans
  }

  const cases: [string, () => Record<string, string>][] = [
    ['every visible task, newest first', () => ({})],
    ['a team', () => ({ teamId: ids.team! })],
    ['a project', () => ({ projectId: ids.project! })],
    ['a project by position', () => ({ projectId: ids.project!, sort: 'position' })],
    ['a project by dueAt', () => ({ projectId: ids.project!, sort: 'dueAt' })],
    ['a project by -priority', () => ({ projectId: ids.project!, sort: '-priority' })],
    ['a project by updatedAt', () => ({ projectId: ids.project!, sort: '-updatedAt' })],
    ['a team by dueAt', () => ({ teamId: ids.team!, sort: 'dueAt' })],
    ['a team by -priority', () => ({ teamId: ids.team!, sort: '-priority' })],
    ['a team by status', () => ({ teamId: ids.team!, status: 'todo,in_progress' })],
    ['a team by priority', () => ({ teamId: ids.team!, priority: 'urgent' })],
    ['assigned to me', () => ({ assigneeId: 'me' })],
    ['unassigned in a team', () => ({ teamId: ids.team!, assigneeId: 'none' })],
    ['by tag', () => ({ tag: ids.tag! })],
    ['overdue in a team', () => ({ teamId: ids.team!, overdue: 'true' })],
    [
      'due in a window',
      () => ({ teamId: ids.team!, dueAfter: new Date().toISOString(), dueBefore: '2100-01-01T00:00:00Z' }),
    ],
    ['subtasks of a task', () => ({ parentId: ids.parent! })],
    ['top level of a project', () => ({ projectId: ids.project!, parentId: 'none' })],
    ['full-text search by relevance', () => ({ q: 'zulu' })],
    ['full-text search in a team by relevance', () => ({ teamId: ids.team!, q: 'zulu' })],
    ['full-text search in a project by date', () => ({ projectId: ids.project!, q: 'zulu', sort: 'createdAt' })],
  ]

  it.each(cases)('%s', async (_, input) => {
    for (const plan of await plansOf(actor, input())) {
      expect(plan, plan).not.toMatch(/Seq Scan on tasks/)
      expect(plan, plan).toMatch(/Index/)
      // the search index's team column is for searches only (a list combining it with its own index got slower)
      if (!input().q) expect(plan, plan).not.toMatch(/tasks_team_search_idx/)
    }
  })

  it("finds a team's matches in the team and search index", async () => {
    const [plan] = await plansOf(actor, { teamId: ids.team!, q: 'zulu' })
    expect(plan, plan).toMatch(
      /Bitmap Index Scan on tasks_team_search_idx .*\n\s+Index Cond: \(\(team_id = .*search @@/,
    )
  })

  it('the next page (a keyset cursor) too', async () => {
    for (const sort of ['-createdAt', 'dueAt', '-priority', 'position']) {
      const query = `projectId=${ids.project}&sort=${sort}&limit=10`
      const page = await getJson<{ nextCursor: string }>(t.app, user, `/api/v1/tasks?${query}`)
      const plans = await plansOf(actor, { projectId: ids.project!, sort, limit: '10', cursor: page.nextCursor })
      for (const plan of plans) expect(plan, plan).not.toMatch(/Seq Scan on tasks/)
    }
  })

  it.each([
    ['every task, newest first', {}],
    ['every task of a status', { status: 'todo' }],
    ['every task by a rare word', { q: 'yankee' }],
  ])('the admin list of %s', async (_, input) => {
    for (const plan of await plansOf(admin, input)) expect(plan, plan).not.toMatch(/Seq Scan on tasks/)
  })
})
