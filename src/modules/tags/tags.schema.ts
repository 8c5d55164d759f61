import { z } from 'zod'
import { Id, PageQuery, Text, Timestamp, Version } from '../../http/schemas.ts'

const TagName = Text.trim().min(1).max(50)
const Color = Text.max(7)
  .regex(/^#[0-9a-fA-F]{6}$/, 'must be a color like #1a2b3c')
  .transform((c) => c.toLowerCase())
  .meta({ description: 'A #rrggbb color', example: '#3366ff' })

export const Tag = z
  .object({
    id: Id,
    teamId: Id,
    name: z.string().max(50),
    color: z.string().max(7),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    version: Version,
  })
  .meta({ id: 'Tag', description: 'A tag of a team; names are unique in the team, whatever their case' })
export type Tag = z.infer<typeof Tag>

export const CreateTag = z
  .strictObject({ teamId: Id, name: TagName, color: Color })
  .meta({ id: 'CreateTag', description: 'A new tag in a team' })
export const UpdateTag = z
  .strictObject({ name: TagName.optional(), color: Color.optional() })
  .meta({ id: 'UpdateTag', description: 'JSON Merge Patch: a missing field is left alone' })
export const TagListQuery = PageQuery.extend({ teamId: Id.meta({ description: 'The team whose tags to list' }) })
