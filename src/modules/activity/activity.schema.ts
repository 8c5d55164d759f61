import { z } from 'zod'
import { Id, PageQuery, Timestamp } from '../../http/schemas.ts'

const ActivityId = z
  .number()
  .int()
  .min(1)
  .max(Number.MAX_SAFE_INTEGER)
  .meta({ format: 'int64', description: 'Increases with every entry; also the event id of the stream' })

export const ActivityEntry = z
  .object({
    id: ActivityId,
    action: z.string().max(100).meta({ description: '<entity>.<verb>: task.created, member.role_changed…' }),
    actor: z
      .object({ id: Id, name: z.string().max(200) })
      .nullable()
      .meta({ description: 'Who made the change; null for the system or a deleted user' }),
    entityType: z.string().max(50),
    entityId: Id,
    teamId: Id.nullable(),
    projectId: Id.nullable(),
    taskId: Id.nullable(),
    changes: z
      .record(z.string().max(100), z.object({ from: z.unknown(), to: z.unknown() }))
      .meta({ description: 'Old → new value of every changed field' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'ActivityEntry', description: 'One change, as the audit trail records it' })
export type ActivityEntry = z.infer<typeof ActivityEntry>

export const ActivityQuery = PageQuery.extend({
  teamId: Id.optional().meta({ description: "One team's entries (404 when it is not visible)" }),
  projectId: Id.optional().meta({ description: "One project's entries (404 when it is not visible)" }),
  taskId: Id.optional().meta({ description: "One task's entries (404 when it is not visible)" }),
})
export type ActivityQuery = z.infer<typeof ActivityQuery>
