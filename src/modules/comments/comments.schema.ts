import { z } from 'zod'
import { Id, PageQuery, Text, Timestamp } from '../../http/schemas.ts'

const MAX_COMMENT_LENGTH = 10_000

export const Comment = z
  .object({
    id: Id,
    taskId: Id,
    authorId: Id.nullable(),
    author: z.object({ id: Id, name: z.string().max(100) }).nullable(),
    body: z.string().max(MAX_COMMENT_LENGTH),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    version: z.number().int().min(1).max(2_147_483_647).meta({ format: 'int32' }),
  })
  .meta({ id: 'Comment', description: 'A comment on a task, with its author' })
export type Comment = z.infer<typeof Comment>

const Body = Text.trim().min(1).max(MAX_COMMENT_LENGTH)
export const CreateComment = z.strictObject({ body: Body }).meta({ id: 'CreateComment', description: 'A new comment' })
export const UpdateComment = z
  .strictObject({ body: Body.optional() })
  .meta({ id: 'UpdateComment', description: 'JSON Merge Patch of a comment' })
export type UpdateComment = z.infer<typeof UpdateComment>
export const CommentQuery = PageQuery
