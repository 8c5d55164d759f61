import { sql } from 'drizzle-orm'
import {
  check,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { tsvector } from '../types.ts'
import { projects } from './projects.ts'
import { tags } from './tags.ts'
import { teams } from './teams.ts'
import { users } from './users.ts'

export const TASK_STATUSES = ['todo', 'in_progress', 'done', 'cancelled'] as const
export const TASK_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const

export const tasks = pgTable(
  'tasks',
  {
    id: uuid().primaryKey(),
    // denormalised from the project so visibility and team-wide lists need no join
    teamId: uuid()
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    projectId: uuid()
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    parentId: uuid().references((): never => tasks.id as never, { onDelete: 'cascade' }),
    title: text().notNull(),
    description: text(),
    status: text({ enum: TASK_STATUSES }).notNull().default('todo'),
    // 1..4 for low..urgent, so "-priority" sorts on an integer index
    priorityRank: integer().notNull().default(2),
    dueAt: timestamp({ withTimezone: true, precision: 3 }),
    remindAt: timestamp({ withTimezone: true, precision: 3 }),
    assigneeId: uuid().references(() => users.id, { onDelete: 'set null' }),
    position: doublePrecision().notNull(),
    recurrence: text(),
    // the recurring task whose completion created this one: a task spawns its next occurrence once,
    // however often it is reopened and completed again (unless that occurrence is deleted)
    previousOccurrenceId: uuid().references((): never => tasks.id as never, { onDelete: 'set null' }),
    completedAt: timestamp({ withTimezone: true, precision: 3 }),
    completedBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    // text of the task's attachments (PDF extraction), searchable with the task
    attachmentText: text().notNull().default(''),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    version: integer().notNull().default(1),
    search: tsvector().generatedAlwaysAs(
      sql`setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B') || setweight(to_tsvector('english'::regconfig, attachment_text), 'C')`,
    ),
  },
  (t) => [
    index('tasks_team_created_idx').on(t.teamId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('tasks_project_created_idx').on(t.projectId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('tasks_team_updated_idx').on(t.teamId, t.updatedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('tasks_team_due_idx').on(t.teamId, t.dueAt, t.id),
    index('tasks_team_priority_idx').on(
      t.teamId,
      t.priorityRank.desc().nullsFirst(),
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index('tasks_project_position_idx').on(t.projectId, t.position, t.id),
    // a project's list by due date or priority walks its own index (a team's would filter the project out)
    index('tasks_project_due_idx').on(t.projectId, t.dueAt, t.id),
    index('tasks_project_priority_idx').on(
      t.projectId,
      t.priorityRank.desc().nullsFirst(),
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    // every team at once: a global admin's lists (GET /admin/tasks, and /tasks without a team)
    index('tasks_created_idx').on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('tasks_assignee_created_idx').on(t.assigneeId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('tasks_team_status_created_idx').on(
      t.teamId,
      t.status,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index('tasks_parent_idx').on(t.parentId),
    uniqueIndex('tasks_previous_occurrence_idx').on(t.previousOccurrenceId),
    // overdue and due-soon only ever look at open tasks
    index('tasks_open_due_idx')
      .on(t.teamId, t.dueAt)
      .where(sql`${t.status} in ('todo', 'in_progress') and ${t.dueAt} is not null`),
    index('tasks_team_completed_idx').on(t.teamId, t.completedAt).where(sql`${t.completedAt} is not null`),
    // team and words in one GIN index (btree_gin), so a team's search finds exactly its matches in one scan
    // (intersecting the team's btree bitmap with the word's cost more than ranking the matches); it serves
    // a search without a team as well as the single-column index did. `search` is never NULL: the
    // predicate only keeps lists without a search (which cannot imply it) off this index, whose team
    // column the planner otherwise combined with other indexes (assigned to me in a team: 0.3 → 14 ms)
    index('tasks_team_search_idx').using('gin', t.teamId, t.search).where(sql`${t.search} is not null`),
    check('tasks_status_check', sql`${t.status} in ('todo', 'in_progress', 'done', 'cancelled')`),
    check('tasks_priority_rank_check', sql`${t.priorityRank} between 1 and 4`),
  ],
)
export type TaskRow = typeof tasks.$inferSelect

export const taskTags = pgTable(
  'task_tags',
  {
    taskId: uuid()
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    tagId: uuid()
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.tagId] }), index('task_tags_tag_id_idx').on(t.tagId, t.taskId)],
)
