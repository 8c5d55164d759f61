// DATABASE_URL=… npx tsx bench/explain.ts [variant] [--plans]: EXPLAIN ANALYZE of the list and get
// statements the workloads send (the reference's copies of the app's SQL), one line each or in full,
// and of the app's own search statements (variant `search`: each search term, as the workload sends it)
import { openDb } from '../src/db/client.ts'
import { pageStatements } from '../src/modules/tasks/tasks.list.ts'
import { taskFilters } from '../src/modules/tasks/tasks.queries.ts'
import { TaskQuery } from '../src/modules/tasks/tasks.schema.ts'
import { loadFixtures, SEARCH_TERMS } from './lib/fixtures.ts'
import { GET_TASK, type ListFilters, listTasksSql } from './reference/sql.ts'

const database = await openDb({ url: process.env.DATABASE_URL!, poolSize: 2 })
const sql = database.sql
const [u] = await loadFixtures(sql, 1)
if (!u) throw new Error('no bench user')
const base: ListFilters = { userId: u.userId, teamId: u.teamId, limit: 20 }
const variants: Record<string, ListFilters> = {
  plain: base,
  status: { ...base, status: ['todo', 'in_progress'] },
  me: { ...base, assigneeId: u.userId },
  priority: { ...base, priorityRanks: [3, 4] },
  tag: { ...base, tag: [u.tagIds[0]!] },
  overdue: { ...base, overdueBefore: new Date().toISOString() },
  project: { userId: u.userId, projectId: u.projectIds[0]!, limit: 20 },
}
const [only] = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const full = process.argv.includes('--plans')
const explain = async (name: string, text: string, params: unknown[]) => {
  const { rows } = await sql.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${text}`, params)
  const lines = rows.map((r) => r['QUERY PLAN'])
  process.stdout.write(`${name.padEnd(9)} ${lines.at(-1)}\n${full ? `${lines.join('\n')}\n\n` : ''}`)
}
for (const [name, f] of Object.entries(variants)) {
  if (only && only !== name) continue
  const { text, params } = listTasksSql(f)
  await explain(name, text, params)
}
if (!only || only === 'get') await explain('get', GET_TASK, [u.taskIds[0], u.userId])
if (!only || only === 'search') {
  const actor = { userId: u.userId, role: 'user', scopes: [], via: 'session' } as const
  for (const q of SEARCH_TERMS) {
    const query = TaskQuery.parse({ teamId: u.teamId, q, limit: '20' })
    const { main } = pageStatements(database.db, taskFilters(actor, query, new Date()), query)
    const statement = main!(query.limit + 1).toSQL()
    await explain(`search "${q}"`.padEnd(22), statement.sql, statement.params)
  }
}
await database.close()
