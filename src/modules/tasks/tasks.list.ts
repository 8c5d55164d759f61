import { and, asc, desc, eq, isNotNull, isNull, type SQL, sql } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Db } from '../../db/client.ts'
import { tasks } from '../../db/tables/tasks.ts'
import { encodeCursor } from '../../http/cursor.ts'
import { decodeAfter, type Kind } from '../../http/keyset.ts'
import { invalidField } from '../../http/problem.ts'
import { selectTasks, type TaskListRow, toTask, tsQuery } from './tasks.queries.ts'
import type { Task, TaskQuery, TaskSort } from './tasks.schema.ts'

type Value = string | number | null

/** One sort key: the expression, the SQL type its cursor value is cast to, and its value in a row. */
interface Key {
  expr: AnyPgColumn | SQL
  cast: Extract<Kind, 'timestamptz' | 'int4' | 'float8' | 'float4'>
  value: (row: Row) => Value
}
type Row = TaskListRow & { rank?: number }

/** A sort order: keys in one direction, then the id as the tie-breaker in the same direction. */
interface Order {
  name: TaskSort | 'relevance'
  keys: Key[]
  desc: boolean
  /** the first key may be NULL and NULLs come last whichever the direction (dueAt) */
  nullsLast?: boolean
}

const time = (col: AnyPgColumn, get: (r: Row) => Date | null): Key => ({
  expr: col,
  cast: 'timestamptz',
  value: (r) => get(r)?.toISOString() ?? null,
})
const created = time(tasks.createdAt, (r) => r.createdAt)
const updated = time(tasks.updatedAt, (r) => r.updatedAt)
const due = time(tasks.dueAt, (r) => r.dueAt)
const priority: Key = { expr: tasks.priorityRank, cast: 'int4', value: (r) => r.priorityRank }
const position: Key = { expr: tasks.position, cast: 'float8', value: (r) => r.position }

const ORDERS: Record<TaskSort, Omit<Order, 'name'>> = {
  createdAt: { keys: [created], desc: false },
  '-createdAt': { keys: [created], desc: true },
  updatedAt: { keys: [updated], desc: false },
  '-updatedAt': { keys: [updated], desc: true },
  dueAt: { keys: [due], desc: false, nullsLast: true },
  '-dueAt': { keys: [due], desc: true, nullsLast: true },
  // equal priorities: newest first for -priority (the index order), oldest first for priority
  priority: { keys: [priority, created], desc: false },
  '-priority': { keys: [priority, created], desc: true },
  position: { keys: [position], desc: false },
  '-position': { keys: [position], desc: true },
}

function orderFor(query: TaskQuery): { order: Order; rank?: SQL<number> } {
  if (query.sort) return { order: { name: query.sort, ...ORDERS[query.sort] } }
  if (!query.q) return { order: { name: '-createdAt', ...ORDERS['-createdAt'] } }
  // relevance: ts_rank is a real; the cursor carries its shortest text form, which casts back exactly
  const rank = sql<number>`ts_rank(${tasks.search}, ${tsQuery(query.q)})`
  const key: Key = { expr: rank, cast: 'float4', value: (r) => r.rank ?? 0 }
  return { order: { name: 'relevance', keys: [key], desc: true }, rank }
}

const param = (value: Value, cast: Key['cast'] | 'uuid') => sql`${value}::${sql.raw(cast)}`

/** `(k1, k2, id) > (v1, v2, vid)` (or `<` descending): one row comparison an index can range-scan. */
function after(keys: Key[], values: Value[], id: string, descending: boolean): SQL {
  const left = sql.join([...keys.map((k) => k.expr), tasks.id], sql`, `)
  const right = sql.join([...keys.map((k, i) => param(values[i]!, k.cast)), param(id, 'uuid')], sql`, `)
  return sql`(${left}) ${sql.raw(descending ? '<' : '>')} (${right})`
}

// a cursor is [order name, ...key values, id]; the first key may be null when NULLs sort last (dueAt)
const cursorKinds = (order: Order) => [
  'text' as const,
  ...order.keys.map((k, i) => (i === 0 && order.nullsLast ? (`${k.cast}?` as const) : k.cast)),
  'uuid' as const,
]

const direction = (descending: boolean) => (descending ? desc : asc)

type Statement = ReturnType<typeof selectTasks>

/**
 * A page by relevance. Every match has to be ranked, so the ranking reads only the tasks table
 * (one index scan of the team's matches, then each match's row) and keeps ids and ranks; the page's
 * rows are then joined to their assignee, tags and subtask counts. Joined before the sort, the
 * assignee made PostgreSQL hash the whole users table for thousands of matches.
 */
function rankedPage(db: Db, where: SQL | undefined, rank: SQL<number>, limit: number): Statement {
  const ranked = db
    .select({ id: tasks.id, rank: sql<number>`${rank}`.as('rank') })
    .from(tasks)
    .where(where)
    .orderBy(desc(rank), desc(tasks.id))
    .limit(limit)
    .as('ranked')
  return selectTasks(db, { rank: ranked.rank })
    .innerJoin(ranked, eq(ranked.id, tasks.id))
    .orderBy(desc(ranked.rank), desc(ranked.id))
}

/**
 * The statements of one keyset page, not yet run: `limit` rows ordered by the sort keys and the
 * id, starting after the cursor's row. A nullable key (dueAt) is read in two ranges, non-NULL then
 * NULL, each on its own index: `nulls` is that second statement (null when there is none).
 */
export function pageStatements(db: Db, where: (SQL | undefined)[], query: TaskQuery) {
  const { order, rank } = orderFor(query)
  const cursor: Value[] | null = decodeAfter(query.cursor, cursorKinds(order))
  if (cursor && cursor[0] !== order.name) throw invalidField('query.cursor', 'this cursor belongs to another sort')
  const values = cursor?.slice(1, -1) ?? []
  const lastId = cursor?.at(-1) as string
  const by = direction(order.desc)
  const statement = (conditions: (SQL | undefined)[], keys: Key[], limit: number): Statement =>
    rank
      ? rankedPage(db, and(...where, ...conditions), rank, limit)
      : selectTasks(db)
          .where(and(...where, ...conditions))
          .orderBy(...keys.map((k) => by(k.expr)), by(tasks.id))
          .limit(limit)

  const keyset = cursor ? after(order.keys, values, lastId, order.desc) : undefined
  if (!order.nullsLast) return { order, main: (limit: number) => statement([keyset], order.keys, limit), nulls: null }
  const [first] = order.keys as [Key]
  const inNulls = cursor !== null && values[0] === null
  return {
    order,
    main: inNulls ? null : (limit: number) => statement([isNotNull(first.expr), keyset], order.keys, limit),
    nulls: (limit: number) =>
      statement([isNull(first.expr), inNulls ? after([], [], lastId, order.desc) : undefined], [], limit),
  }
}

/** A keyset page of tasks: inserts between two pages never shift or repeat what was already seen. */
export async function pageOfTasks(
  db: Db,
  where: (SQL | undefined)[],
  query: TaskQuery,
): Promise<{ items: Task[]; nextCursor: string | null }> {
  const { order, main, nulls } = pageStatements(db, where, query)
  let rows: Row[] = main ? ((await main(query.limit + 1)) as Row[]) : []
  if (nulls && rows.length <= query.limit) rows = rows.concat((await nulls(query.limit + 1 - rows.length)) as Row[])

  if (rows.length <= query.limit) return { items: rows.map(toTask), nextCursor: null }
  const items = rows.slice(0, query.limit)
  const end = items.at(-1)!
  return {
    items: items.map(toTask),
    nextCursor: encodeCursor([order.name, ...order.keys.map((k) => k.value(end)), end.id]),
  }
}
