import { z } from 'zod'
import { Id, PageQuery, Text, Timestamp, Version } from '../../http/schemas.ts'

const Title = Text.trim().min(1).max(200)
const Body = Text.max(100_000)
const ProjectRef = Id.nullable().meta({
  description: "Share the note with this project's team (read-only for them); null keeps it personal",
})

const NoteFile = z
  .object({
    filename: z.string().max(255),
    contentType: z.string().max(200).meta({ description: 'Sniffed from the bytes' }),
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' }),
    sha256: z.string().length(64),
    url: z.string().max(200).meta({ description: 'Where to download it (GET; a redirect on S3)' }),
  })
  .meta({ id: 'NoteFile', description: 'The file of a note' })

export const Note = z
  .object({
    id: Id,
    title: z.string().max(200),
    body: z.string().max(100_000),
    projectId: Id.nullable(),
    file: NoteFile.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    version: Version,
  })
  .meta({ id: 'Note', description: "A personal note, optionally shared with a project's team" })
export type Note = z.infer<typeof Note>

export const CreateNote = z
  .strictObject({ title: Title, body: Body.optional(), projectId: ProjectRef.optional() })
  .meta({ id: 'CreateNote', description: 'A new note, personal or shared with a project' })
export type CreateNote = z.infer<typeof CreateNote>
export const UpdateNote = z
  .strictObject({
    title: Title.optional(),
    body: Body.optional(),
    projectId: ProjectRef.optional(),
  })
  .meta({ id: 'UpdateNote', description: 'JSON Merge Patch of a note' })
export type UpdateNote = z.infer<typeof UpdateNote>
export const SetNoteTitle = z.strictObject({ title: Title }).meta({ id: 'SetNoteTitle', description: 'The new title' })
export const NoteListQuery = PageQuery.extend({
  projectId: Id.optional().meta({
    description: 'Only the notes shared with this project (404 when it is not visible)',
  }),
})
