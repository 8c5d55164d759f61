import { and, asc, count, eq, gt, gte, inArray, isNull, lt, type SQL, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Db } from '../../db/client.ts'
import { comments } from '../../db/tables/comments.ts'
import { projects } from '../../db/tables/projects.ts'
import { tags } from '../../db/tables/tags.ts'
import { tasks, taskTags } from '../../db/tables/tasks.ts'
import { teamMembers, teams } from '../../db/tables/teams.ts'
import { users } from '../../db/tables/users.ts'
import { rankOf, tsQuery } from '../tasks/index.ts'
import type { ExportFilter } from './jobs.schema.ts'

/** What an export reads: a team, optionally one project, the task-list filters, for its creator. */
export interface ExportScope {
  teamId: string
  projectId: string | null
  filter: ExportFilter
  /** whom `assigneeId: "me"` means */
  userId: string
  now: Date
}

type TaskTable = typeof tasks

/** The scope's conditions on a tasks table (or an alias of it): the team, the project, each filter. */
function conditions(t: TaskTable, s: ExportScope): SQL[] {
  const f = s.filter
  const assignee = f.assigneeId === 'me' ? s.userId : f.assigneeId
  const open = sql`${t.status} in ('todo', 'in_progress') and ${t.dueAt} < ${s.now.toISOString()}::timestamptz`
  return [
    eq(t.teamId, s.teamId),
    s.projectId ? eq(t.projectId, s.projectId) : undefined,
    f.status ? inArray(t.status, f.status) : undefined,
    f.priority ? inArray(t.priorityRank, f.priority.map(rankOf)) : undefined,
    assignee === 'none' ? isNull(t.assigneeId) : assignee ? eq(t.assigneeId, assignee) : undefined,
    f.tag
      ? sql`${t.id} in (select ${taskTags.taskId} from ${taskTags} where ${inArray(taskTags.tagId, f.tag)})`
      : undefined,
    f.dueBefore ? lt(t.dueAt, new Date(f.dueBefore)) : undefined,
    f.dueAfter ? gte(t.dueAt, new Date(f.dueAfter)) : undefined,
    f.overdue === true ? open : f.overdue === false ? sql`not coalesce(${open}, false)` : undefined,
    f.q ? sql`${t.search} @@ ${tsQuery(f.q)}` : undefined,
  ].filter((c): c is SQL => c !== undefined)
}

const narrowed = (s: ExportScope) => s.projectId !== null || Object.keys(s.filter).length > 0
const parent = alias(tasks, 'parent')

/**
 * The exported parent: a subtask whose parent the scope leaves out is exported as top-level, so
 * every export is a complete input of an import.
 */
const parentIdOf = (s: ExportScope): SQL<string | null> =>
  narrowed(s)
    ? sql`(select ${parent.id} from ${tasks} ${sql.identifier('parent')} where ${and(eq(parent.id, tasks.parentId), ...conditions(parent as unknown as TaskTable, s))})`
    : sql`${tasks.parentId}`

export async function countTasks(db: Db, s: ExportScope): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(tasks)
    .where(and(...conditions(tasks, s)))
  return row?.n ?? 0
}

/** The next `limit` tasks of the scope after `afterId`, in id order, with what the formats show. */
export function taskBatch(db: Db, s: ExportScope, afterId: string | null, limit: number) {
  return db
    .select({
      id: tasks.id,
      projectId: tasks.projectId,
      project: projects.name,
      parentId: parentIdOf(s),
      title: tasks.title,
      description: tasks.description,
      status: tasks.status,
      priorityRank: tasks.priorityRank,
      dueAt: tasks.dueAt,
      remindAt: tasks.remindAt,
      assigneeId: tasks.assigneeId,
      assignee: users.name,
      assigneeEmail: users.email,
      tags: sql<string[]>`coalesce((select json_agg(${tags.name} order by lower(${tags.name}))
        from ${taskTags} join ${tags} on ${tags.id} = ${taskTags.tagId} where ${taskTags.taskId} = ${tasks.id}), '[]'::json)`,
      position: tasks.position,
      recurrence: tasks.recurrence,
      completedAt: tasks.completedAt,
      createdAt: tasks.createdAt,
      updatedAt: tasks.updatedAt,
    })
    .from(tasks)
    .innerJoin(projects, eq(projects.id, tasks.projectId))
    .leftJoin(users, eq(users.id, tasks.assigneeId))
    .where(and(...conditions(tasks, s), afterId ? gt(tasks.id, afterId) : undefined))
    .orderBy(asc(tasks.id))
    .limit(limit)
}
export type ExportTaskRow = Awaited<ReturnType<typeof taskBatch>>[number]

export async function countComments(db: Db, s: ExportScope): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(comments)
    .innerJoin(tasks, eq(tasks.id, comments.taskId))
    .where(and(...conditions(tasks, s)))
  return row?.n ?? 0
}

/** The next comments of the scope's tasks after `afterId`, in id order. */
export function commentBatch(db: Db, s: ExportScope, afterId: string | null, limit: number) {
  return db
    .select({
      id: comments.id,
      taskId: comments.taskId,
      authorEmail: users.email,
      authorName: users.name,
      body: comments.body,
      createdAt: comments.createdAt,
      updatedAt: comments.updatedAt,
    })
    .from(comments)
    .innerJoin(tasks, eq(tasks.id, comments.taskId))
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(and(...conditions(tasks, s), afterId ? gt(comments.id, afterId) : undefined))
    .orderBy(asc(comments.id))
    .limit(limit)
}

/** The team, its members, projects and tags: the small head of a Tasklane JSON export. */
export async function teamHead(db: Db, s: ExportScope) {
  const [team] = await db.select({ id: teams.id, name: teams.name }).from(teams).where(eq(teams.id, s.teamId))
  const members = await db
    .select({ userId: users.id, name: users.name, email: users.email, role: teamMembers.role })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(eq(teamMembers.teamId, s.teamId))
    .orderBy(asc(users.email))
  const projectRows = await db
    .select({
      id: projects.id,
      name: projects.name,
      description: projects.description,
      archived: projects.archived,
      createdAt: projects.createdAt,
    })
    .from(projects)
    .where(and(eq(projects.teamId, s.teamId), s.projectId ? eq(projects.id, s.projectId) : undefined))
    .orderBy(asc(projects.createdAt), asc(projects.id))
  const tagRows = await db
    .select({ id: tags.id, name: tags.name, color: tags.color })
    .from(tags)
    .where(eq(tags.teamId, s.teamId))
    .orderBy(asc(tags.name))
  return { team: team ?? null, members, projects: projectRows, tags: tagRows }
}
