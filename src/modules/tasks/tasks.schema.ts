import { z } from 'zod'
import { TASK_PRIORITIES, TASK_STATUSES } from '../../db/tables/tasks.ts'
import { Cursor, Id, Limit, Text, Timestamp } from '../../http/schemas.ts'
import { formatRRule, MAX_RULE_LENGTH, parseRRule, RRuleError } from '../../lib/rrule.ts'

export const TaskStatus = z.enum(TASK_STATUSES).meta({ id: 'TaskStatus', description: 'Where a task stands' })
export type TaskStatus = z.infer<typeof TaskStatus>
export const TaskPriority = z.enum(TASK_PRIORITIES).meta({ id: 'TaskPriority', description: 'How urgent a task is' })
export type TaskPriority = z.infer<typeof TaskPriority>

export const MAX_TAGS_PER_TASK = 50
const Title = Text.trim().min(1).max(500)
const Description = Text.max(20_000)
const Position = z
  .number()
  .min(-1e15)
  .max(1e15)
  .meta({ format: 'double', description: 'Manual order within the project (lower first)' })

/** An RRULE of the supported subset, stored in its canonical form. */
const Recurrence = Text.max(MAX_RULE_LENGTH)
  .transform((text, ctx) => {
    try {
      return formatRRule(parseRRule(text))
    } catch (err) {
      if (!(err instanceof RRuleError)) throw err
      ctx.addIssue({ code: 'custom', message: `not a supported RRULE: ${err.message}` })
      return z.NEVER
    }
  })
  .meta({
    description: 'RFC 5545 RRULE subset: FREQ=DAILY|WEEKLY|MONTHLY;INTERVAL=n;BYDAY=MO,TU,… (UTC)',
    examples: ['FREQ=WEEKLY;BYDAY=MO,TH'],
  })

const TaskTag = z.object({ id: Id, name: z.string().max(100), color: z.string().max(20) })

export const Task = z
  .object({
    id: Id,
    projectId: Id,
    teamId: Id,
    parentId: Id.nullable(),
    title: z.string().max(500),
    description: z.string().max(20_000).nullable(),
    status: TaskStatus,
    priority: TaskPriority,
    dueAt: Timestamp.nullable(),
    remindAt: Timestamp.nullable(),
    assigneeId: Id.nullable(),
    assignee: z.object({ id: Id, name: z.string().max(100) }).nullable(),
    tags: z.array(TaskTag).max(MAX_TAGS_PER_TASK),
    position: z.number().meta({ format: 'double' }),
    recurrence: z.string().max(MAX_RULE_LENGTH).nullable(),
    subtaskCount: z.number().int().min(0).max(2_147_483_647).meta({ format: 'int32' }),
    completedAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    version: z.number().int().min(1).max(2_147_483_647).meta({ format: 'int32' }),
  })
  .meta({ id: 'Task', description: 'A task, with its tags, assignee and subtask count' })
export type Task = z.infer<typeof Task>

const TagIds = z.array(Id).max(MAX_TAGS_PER_TASK)

export const CreateTask = z
  .strictObject({
    projectId: Id.optional().meta({ description: "Defaults to the caller's Inbox" }),
    title: Title,
    description: Description.nullish(),
    status: TaskStatus.optional(),
    priority: TaskPriority.optional(),
    dueAt: Timestamp.nullish(),
    remindAt: Timestamp.nullish(),
    assigneeId: Id.nullish(),
    tagIds: TagIds.nullish(),
    parentId: Id.nullish(),
    recurrence: Recurrence.nullish(),
  })
  .meta({ id: 'CreateTask', description: "A new task; without projectId it goes to the caller's Inbox" })
export type CreateTask = z.infer<typeof CreateTask>

/** JSON Merge Patch: a missing field is left alone, null clears an optional one. */
export const UpdateTask = z
  .strictObject({
    projectId: Id.optional().meta({
      description:
        'Move to another project of the same team, with its subtasks; it goes to the end unless position is given',
    }),
    title: Title.optional(),
    description: Description.nullish(),
    status: TaskStatus.optional(),
    priority: TaskPriority.optional(),
    dueAt: Timestamp.nullish(),
    remindAt: Timestamp.nullish(),
    assigneeId: Id.nullish(),
    tagIds: TagIds.nullish().meta({ description: 'Replaces the set; null clears it' }),
    parentId: Id.nullish(),
    position: Position.optional(),
    recurrence: Recurrence.nullish(),
  })
  .meta({
    id: 'UpdateTask',
    description: 'JSON Merge Patch: a missing field is left alone, null clears an optional one',
  })
export type UpdateTask = z.infer<typeof UpdateTask>

export const UpdateTaskStatus = z
  .strictObject({ status: TaskStatus })
  .meta({ id: 'UpdateTaskStatus', description: 'The new status' })

const TASK_SORTS = [
  'createdAt',
  '-createdAt',
  'updatedAt',
  '-updatedAt',
  'dueAt',
  '-dueAt',
  'priority',
  '-priority',
  'position',
  '-position',
] as const
export type TaskSort = (typeof TASK_SORTS)[number]

/**
 * `a,b,c` in a query string, each item checked by `item`. Documented as what it is, an array sent
 * comma-separated (OpenAPI's `style: form, explode: false`, added to every array query parameter),
 * so a generated client types it as an array of the items. A value that is not one string (the
 * parameter repeated) is refused, as is a string longer than `max` items could be.
 */
const commaList = <T extends z.ZodType<unknown, string>>(item: T, max: number, description: string) =>
  z
    .preprocess((v, ctx) => {
      if (typeof v === 'string' && v.length <= max * 40) return v.split(',').map((s) => s.trim())
      ctx.addIssue({ code: 'custom', message: `must be one comma-separated list of at most ${max} items` })
      return z.NEVER
    }, z.array(item).min(1).max(max))
    .optional()
    .meta({ description })

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
/** An id or one of a few words, as one string schema (an id parameter is a string, never a union). */
const idOr = (words: string[], description: string) =>
  Text.max(36)
    .regex(new RegExp(`^(?:${words.join('|')}|${UUID})$`), { message: `must be an id or ${words.join(' or ')}` })
    .optional()
    .meta({ description })

export const TaskQuery = z.object({
  projectId: Id.optional(),
  teamId: Id.optional(),
  status: commaList(TaskStatus, TASK_STATUSES.length, 'Comma list of statuses (any of)'),
  priority: commaList(TaskPriority, TASK_PRIORITIES.length, 'Comma list of priorities (any of)'),
  assigneeId: idOr(['me', 'none'], 'A user id, `me`, or `none` for unassigned tasks'),
  tag: commaList(Id, 20, 'Comma list of tag ids (tasks with any of them)'),
  dueBefore: Timestamp.optional().meta({ description: 'dueAt < value' }),
  dueAfter: Timestamp.optional().meta({ description: 'dueAt >= value' }),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: 'true: due in the past and not done or cancelled' }),
  parentId: idOr(['none'], '`none`: top-level tasks only; an id: that task’s subtasks. Default: both'),
  q: Text.trim().max(200).optional().meta({ description: 'Full-text search (web search syntax)' }),
  sort: z.enum(TASK_SORTS).optional().meta({
    description: 'Default -createdAt, or relevance when q is given; tasks without dueAt sort last either way',
  }),
  limit: Limit,
  cursor: Cursor.optional(),
})
export type TaskQuery = z.infer<typeof TaskQuery>
