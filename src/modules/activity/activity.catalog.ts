import { inArray, type SQL } from 'drizzle-orm'
import { activity } from '../../db/tables/activity.ts'
import type { Scope } from '../../http/auth.ts'

/**
 * Every action the activity log records: the event types of the stream, the change feed and the
 * webhooks. `recordActivity` takes only these, so a new action is added here or does not compile.
 */
export const ACTIONS = [
  'team.created',
  'team.updated',
  'team.deleted',
  'member.added',
  'member.role_changed',
  'member.removed',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.disabled',
  'project.created',
  'project.updated',
  'project.archived',
  'project.deleted',
  'task.created',
  'task.updated',
  'task.status_changed',
  'task.moved',
  'task.deleted',
  'tag.created',
  'tag.updated',
  'tag.deleted',
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'attachment.created',
  'attachment.updated',
  'attachment.deleted',
  'note.created',
  'note.updated',
  'note.file_set',
  'note.file_removed',
  'note.deleted',
  // exports, imports and reports: their creator follows them (entries in no team, see jobs.service.ts)
  'job.created',
  'job.updated',
  // one entry for a whole import, in the team's log
  'import.completed',
] as const
export type Action = (typeof ACTIONS)[number]
/** The entity an action is about: the part before the dot (also the entry's `entityType`). */
export type EntityType = Action extends `${infer E}.${string}` ? E : never

/**
 * What a caller needs to read an entry about each kind of entity: the scope that reads the entity
 * itself (`GET /notes/:id` needs files:read, so do note entries). The one rule that the activity
 * list, the change feed and the event stream apply (see `coveredBy`).
 */
const READ_SCOPE: Record<EntityType, Scope> = {
  team: 'teams:read',
  member: 'teams:read',
  webhook: 'teams:read',
  project: 'projects:read',
  task: 'tasks:read',
  tag: 'tasks:read',
  comment: 'tasks:read',
  attachment: 'files:read',
  note: 'files:read',
  job: 'tasks:read',
  import: 'tasks:read',
}

const ENTITY_TYPES = Object.keys(READ_SCOPE) as EntityType[]

/**
 * The entries a caller's scopes cover (READ_SCOPE): the one filter of the activity list, the change
 * feed and the event stream. Undefined when they cover every kind, as a session's do.
 */
export function coveredBy(scopes: readonly Scope[]): SQL | undefined {
  const types = ENTITY_TYPES.filter((type) => scopes.includes(READ_SCOPE[type]))
  return types.length === ENTITY_TYPES.length ? undefined : inArray(activity.entityType, types)
}
