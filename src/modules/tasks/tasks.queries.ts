import { and, eq, gte, inArray, isNull, lt, not, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { projects } from '../../db/tables/projects.ts'
import { tags as tagTable } from '../../db/tables/tags.ts'
import { TASK_PRIORITIES, tasks, taskTags } from '../../db/tables/tasks.ts'
import { teamMembers } from '../../db/tables/teams.ts'
import { users } from '../../db/tables/users.ts'
import type { Actor } from '../../http/auth.ts'
import { notFound } from '../../http/problem.ts'
import { iso, isoOrNull } from '../../lib/time.ts'
import { visibleTo } from '../access/index.ts'
import type { Task, TaskQuery } from './tasks.schema.ts'

export const priorityOf = (rank: number) => TASK_PRIORITIES[rank - 1]!
export const rankOf = (priority: (typeof TASK_PRIORITIES)[number]) => TASK_PRIORITIES.indexOf(priority) + 1

/**
 * Everything the task shape needs in one row: the assignee by a join, tags and the subtask count by
 * correlated subqueries on their indexes. A page of 100 tasks is one statement, never 1 + N.
 */
const taskColumns = {
  id: tasks.id,
  projectId: tasks.projectId,
  teamId: tasks.teamId,
  parentId: tasks.parentId,
  title: tasks.title,
  description: tasks.description,
  status: tasks.status,
  priorityRank: tasks.priorityRank,
  dueAt: tasks.dueAt,
  remindAt: tasks.remindAt,
  assigneeId: tasks.assigneeId,
  assigneeName: users.name,
  position: tasks.position,
  recurrence: tasks.recurrence,
  completedAt: tasks.completedAt,
  createdAt: tasks.createdAt,
  updatedAt: tasks.updatedAt,
  version: tasks.version,
  tags: sql<Task['tags']>`coalesce((
    select json_agg(json_build_object('id', ${tagTable.id}, 'name', ${tagTable.name}, 'color', ${tagTable.color})
                    order by lower(${tagTable.name}), ${tagTable.id})
    from ${taskTags} join ${tagTable} on ${tagTable.id} = ${taskTags.tagId}
    where ${taskTags.taskId} = ${tasks.id}), '[]'::json)`,
  subtaskCount: sql<number>`(select count(*)::int from tasks subtask where subtask.parent_id = ${tasks.id})`,
}

/** The select every read of the task shape starts from; add `where`, `orderBy`, `limit`. */
export const selectTasks = <E extends Record<string, SQL.Aliased | SQL>>(db: Db, extra?: E) =>
  db
    .select({ ...taskColumns, ...(extra ?? ({} as E)) })
    .from(tasks)
    .leftJoin(users, eq(users.id, tasks.assigneeId))
    .$dynamic()

export type TaskListRow = Awaited<ReturnType<ReturnType<typeof selectTasks>['execute']>>[number]

export const toTask = (row: TaskListRow): Task => ({
  id: row.id,
  projectId: row.projectId,
  teamId: row.teamId,
  parentId: row.parentId,
  title: row.title,
  description: row.description,
  status: row.status,
  priority: priorityOf(row.priorityRank),
  dueAt: isoOrNull(row.dueAt),
  remindAt: isoOrNull(row.remindAt),
  assigneeId: row.assigneeId,
  assignee: row.assigneeId && row.assigneeName !== null ? { id: row.assigneeId, name: row.assigneeName } : null,
  tags: row.tags,
  position: row.position,
  recurrence: row.recurrence,
  subtaskCount: row.subtaskCount,
  completedAt: isoOrNull(row.completedAt),
  createdAt: iso(row.createdAt),
  updatedAt: iso(row.updatedAt),
  version: row.version,
})

// GET /tasks/:id is the hottest read: built once per database handle, and a named statement on
// PostgreSQL (parsed and planned once per connection) instead of Drizzle building it per request
const byIdStatements = new WeakMap<Db, ReturnType<typeof prepareById>>()
const prepareById = (db: Db) => {
  const id = eq(tasks.id, sql.placeholder('id'))
  return {
    member: selectTasks(db)
      .where(and(id, visibleTo({ role: 'user', userId: sql.placeholder('userId') }, tasks.teamId)))
      .prepare('task_by_id_for_member'),
    admin: selectTasks(db).where(id).prepare('task_by_id_for_admin'),
  }
}

/** One task in the task shape, or undefined when it does not exist or the caller cannot see it. */
export async function findTask(db: Db, actor: Actor, id: string): Promise<Task | undefined> {
  let byId = byIdStatements.get(db)
  if (!byId) {
    byId = prepareById(db)
    byIdStatements.set(db, byId)
  }
  const [row] =
    actor.role === 'admin' ? await byId.admin.execute({ id }) : await byId.member.execute({ id, userId: actor.userId })
  return row && toTask(row)
}

/**
 * What a route under a task (`/tasks/:id/comments`, `…/attachments`) needs of it, when the caller
 * can see it (404 otherwise). `lock` (in a transaction that adds a row pointing at the task) holds
 * it FOR KEY SHARE: a concurrent delete then goes first and this answers 404, or waits for this one
 * and cascades to the new row, instead of the insert failing on its foreign key.
 */
export async function taskRef(db: Db, actor: Actor, id: string, opts: { lock?: boolean } = {}) {
  const query = db
    .select({ id: tasks.id, teamId: tasks.teamId, projectId: tasks.projectId })
    .from(tasks)
    .where(and(eq(tasks.id, id), visibleTo(actor, tasks.teamId)))
  const [task] = opts.lock ? await query.for('key share') : await query
  if (!task) throw notFound('task', id)
  return task
}

const OPEN = sql`${tasks.status} in ('todo', 'in_progress')`
// written exactly like the partial index tasks_open_due_idx's predicate implies, so it can serve it
const overdue = (now: Date) => sql`${OPEN} and ${tasks.dueAt} < ${now.toISOString()}::timestamptz`

export const tsQuery = (q: string) => sql`websearch_to_tsquery('english', ${q})`

/**
 * The visibility rule (visibleTo) as a per-row probe of the caller's membership, for narrowed lists;
 * given `teamId` (the list's own team), one probe of that team, evaluated once for the statement.
 */
const visibleRowTo = (actor: Actor, teamId?: string): SQL | undefined =>
  actor.role === 'admin'
    ? undefined
    : teamId
      ? sql`exists (select from ${teamMembers} where ${teamMembers.teamId} = ${teamId} and ${teamMembers.userId} = ${actor.userId})`
      : sql`coalesce((select true from ${teamMembers} where ${teamMembers.teamId} = ${tasks.teamId} and ${teamMembers.userId} = ${actor.userId}), false)`

/** Tasks with any of the tags: a per-row probe in a narrowed list, the tags' task set otherwise. */
const taggedWith = (tagIds: string[], narrowed: boolean): SQL =>
  narrowed
    ? sql`coalesce((select true from ${taskTags} where ${taskTags.taskId} = ${tasks.id} and ${inArray(taskTags.tagId, tagIds)} limit 1), false)`
    : sql`${tasks.id} in (select ${taskTags.taskId} from ${taskTags} where ${inArray(taskTags.tagId, tagIds)})`

/**
 * The conditions of a task list: the caller's visibility first, then each filter of the query.
 * Tasks of archived projects are left out unless the query names the project.
 */
export function taskFilters(actor: Actor, query: TaskQuery, now: Date): (SQL | undefined)[] {
  const assignee = query.assigneeId === 'me' ? actor.userId : query.assigneeId
  // A list narrowed to one team or project walks that team's or project's index in the page's
  // order and stops after `limit` rows. Written as semi-joins, visibility and tags make the planner
  // (which cannot tell that a project's tasks all lie in one of the caller's teams) fetch and sort
  // every matching row instead; as per-row probes it keeps the index order. Measured in bench/.
  const narrowed = Boolean(query.teamId || query.projectId)
  // Ranking by relevance reads every match of the team (thousands at 1M tasks): there the team's
  // membership is probed once, not per match. Lists that walk an index keep the per-row probe: without
  // its cost the planner walked the every-team createdAt index for a large team, which holds only while
  // the team's tasks are spread evenly over time.
  const byRelevance = Boolean(query.q) && !query.sort
  return [
    narrowed ? visibleRowTo(actor, byRelevance ? query.teamId : undefined) : visibleTo(actor, tasks.teamId),
    query.projectId ? eq(tasks.projectId, query.projectId) : undefined,
    query.teamId ? eq(tasks.teamId, query.teamId) : undefined,
    query.projectId
      ? undefined
      : sql`${tasks.projectId} not in (select ${projects.id} from ${projects} where ${projects.archived})`,
    query.status ? inArray(tasks.status, query.status) : undefined,
    query.priority ? inArray(tasks.priorityRank, query.priority.map(rankOf)) : undefined,
    assignee === 'none' ? isNull(tasks.assigneeId) : assignee ? eq(tasks.assigneeId, assignee) : undefined,
    query.tag ? taggedWith(query.tag, narrowed) : undefined,
    query.dueBefore ? lt(tasks.dueAt, new Date(query.dueBefore)) : undefined,
    query.dueAfter ? gte(tasks.dueAt, new Date(query.dueAfter)) : undefined,
    query.overdue === 'true' ? overdue(now) : undefined,
    query.overdue === 'false' ? not(sql`coalesce(${overdue(now)}, false)`) : undefined,
    query.parentId === 'none'
      ? isNull(tasks.parentId)
      : query.parentId
        ? eq(tasks.parentId, query.parentId)
        : undefined,
    query.q ? sql`${tasks.search} @@ ${tsQuery(query.q)}` : undefined,
  ]
}

/** A task known to exist (inside the transaction that just wrote it), in the task shape. */
export async function taskById(db: Db, id: string): Promise<Task> {
  const [row] = await selectTasks(db).where(eq(tasks.id, id))
  return toTask(row!)
}
