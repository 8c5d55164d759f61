// DATABASE_URL=… npx tsx bench/membership.ts [--runs 3000]
// Would a per-request cache of team memberships pay? The app checks membership inside the statement
// that reads the rows (`team_id in (select team_id from team_members where user_id = $n)`), so a cache
// could save no round trip, only that index probe (per row, for a list narrowed to a team): the
// statement would take the cached team ids as a parameter instead (`team_id = any($n)`). This times both forms of GET /tasks/:id and of the plain
// list, on one connection, interleaved in blocks, and prints the mean time per statement.
import { parseArgs } from 'node:util'
import pg from 'pg'
import type { SqlClient } from '../src/db/client.ts'
import { loadFixtures } from './lib/fixtures.ts'
import { GET_TASK, listTasksSql } from './reference/sql.ts'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3000' } } })
const runs = Number(values.runs)
const client = new pg.Client({ connectionString: process.env.DATABASE_URL })
await client.connect()
const sql: SqlClient = {
  query: async <R>(text: string, params?: unknown[]) => (await client.query(text, params)) as unknown as { rows: R[] },
  exec: async (text) => {
    await client.query(text)
  },
}
const users = await loadFixtures(sql, 20)
const teamsOf = new Map<string, string[]>()
for (const u of users) {
  const { rows } = await client.query<{ team_id: string }>('select team_id from team_members where user_id = $1', [
    u.userId,
  ])
  teamsOf.set(
    u.userId,
    rows.map((r) => r.team_id),
  )
}

/** The statement with its membership check on parameter $n replaced by a list of team ids. */
const withCachedTeams = (text: string, n: number) =>
  text
    .replace(
      `in (select "team_members"."team_id" from "team_members" where "team_members"."user_id" = $${n})`,
      `= any($${n}::uuid[])`,
    )
    // the narrowed list's per-row probe
    .replace(
      `coalesce((select true from "team_members" where "team_members"."team_id" = "tasks"."team_id" and "team_members"."user_id" = $${n}), false)`,
      `"tasks"."team_id" = any($${n}::uuid[])`,
    )

interface Case {
  name: string
  text: string
  params: (u: (typeof users)[number], i: number) => unknown[]
}
const list = listTasksSql({ userId: '$user', teamId: '$team', limit: 20 })
const userParam = list.params.indexOf('$user') + 1
const listParams = (u: (typeof users)[number], cached: boolean) =>
  list.params.map((p) => (p === '$user' ? (cached ? teamsOf.get(u.userId) : u.userId) : p === '$team' ? u.teamId : p))
const cases: Case[] = [
  { name: 'get, membership subquery', text: GET_TASK, params: (u, i) => [u.taskIds[i % u.taskIds.length], u.userId] },
  {
    name: 'get, cached team ids',
    text: withCachedTeams(GET_TASK, 2),
    params: (u, i) => [u.taskIds[i % u.taskIds.length], teamsOf.get(u.userId)],
  },
  { name: 'list, membership subquery', text: list.text, params: (u) => listParams(u, false) },
  { name: 'list, cached team ids', text: withCachedTeams(list.text, userParam), params: (u) => listParams(u, true) },
]
for (const c of cases.filter((c) => c.name.includes('cached'))) {
  if (!c.text.includes('= any(')) throw new Error(`${c.name}: the membership subquery was not found`)
}

const totals = new Map<string, number>(cases.map((c) => [c.name, 0]))
const block = 100
for (let done = 0; done < runs; done += block) {
  for (const c of cases) {
    const start = process.hrtime.bigint()
    for (let i = done; i < done + block; i++) {
      const u = users[i % users.length]!
      await client.query({ name: c.name, text: c.text, values: c.params(u, i) })
    }
    totals.set(c.name, totals.get(c.name)! + Number(process.hrtime.bigint() - start) / 1e3)
  }
}
for (const [name, us] of totals) process.stdout.write(`${name.padEnd(28)} ${(us / runs).toFixed(0)} µs per statement\n`)
await client.end()
