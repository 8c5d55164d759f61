import { z } from 'zod'
import { EXTRACTION_STATUSES } from '../../db/tables/attachments.ts'
import { Id, Timestamp, Version } from '../../http/schemas.ts'

/** Characters of extracted text kept per attachment. */
export const MAX_TEXT_CHARS = 200_000

/** Bytes of a file, in an upload form or a download (bounded like every string in the document). */
export const FileBytes = z
  .string()
  .max(5 * 1024 * 1024 * 1024)
  .meta({ format: 'binary', contentMediaType: 'application/octet-stream' })

const Extraction = z
  .object({
    status: z.enum(EXTRACTION_STATUSES).meta({
      description: 'PDF text extraction: queued → processing → done | failed; other files are skipped',
    }),
    error: z
      .string()
      .max(1000)
      .nullable()
      .meta({
        description:
          'Why extraction failed (an unreadable PDF, or one past the size, inflated-bytes, memory or time limit); ' +
          'when done, what was left out of a PDF with more pages or text than the limits let it read (the text holds ' +
          'the first pages); otherwise null',
      }),
  })
  .meta({ id: 'Extraction', description: 'Where text extraction of the file stands' })

export const Attachment = z
  .object({
    id: Id,
    taskId: Id,
    filename: z.string().max(255),
    contentType: z.string().max(200).meta({ description: 'Sniffed from the bytes, not taken from the client' }),
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64', description: 'Bytes' }),
    sha256: z.string().length(64).meta({ description: 'SHA-256 of the bytes, hex' }),
    uploadedBy: Id.nullable(),
    extraction: Extraction,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    version: Version,
  })
  .meta({ id: 'Attachment', description: 'A file on a task; its bytes are at /attachments/{id}/content' })
export type Attachment = z.infer<typeof Attachment>

export const AttachmentText = z
  .object({
    id: Id,
    extraction: Extraction,
    text: z.string().max(MAX_TEXT_CHARS).nullable().meta({
      description: 'The extracted text (at most the first 200,000 characters); null until extraction is done',
    }),
  })
  .meta({ id: 'AttachmentText', description: 'The text extracted from an attachment, once done' })

/** The multipart body every upload route takes (documentation only: the stream is read by the handler). */
export const FileUpload = z
  .object({ file: FileBytes.meta({ description: 'The file (field name "file")' }) })
  .meta({ id: 'FileUpload', description: 'multipart/form-data with one file in the field "file"' })
