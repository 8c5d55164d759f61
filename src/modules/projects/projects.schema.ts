import { z } from 'zod'
import { Id, PageQuery, Text, Timestamp, Version } from '../../http/schemas.ts'

const ProjectName = Text.trim().min(1).max(200)
const Description = Text.max(10_000)

export const Project = z
  .object({
    id: Id,
    teamId: Id,
    name: z.string().max(200),
    description: Description.nullable(),
    archived: z.boolean().meta({ description: 'Archived projects stay readable; their tasks leave default lists' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    version: Version,
  })
  .meta({ id: 'Project', description: 'A project of a team' })
export type Project = z.infer<typeof Project>

export const CreateProject = z
  .strictObject({
    teamId: Id,
    name: ProjectName,
    description: Description.nullable().optional(),
  })
  .meta({ id: 'CreateProject', description: 'A new project in a team' })
export const UpdateProject = z
  .strictObject({
    name: ProjectName.optional(),
    description: Description.nullable().optional().meta({ description: 'null clears it' }),
    archived: z.boolean().optional(),
  })
  .meta({
    id: 'UpdateProject',
    description: 'JSON Merge Patch: a missing field is left alone, null clears the description',
  })

export const ProjectListQuery = PageQuery.extend({
  teamId: Id.optional().meta({
    description: "One team's projects (404 when it is not visible); default every visible team",
  }),
  archived: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true'))
    .meta({ description: 'Only archived (true) or only active (false) projects; default both' }),
})
