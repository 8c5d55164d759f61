import { and, eq, sql } from 'drizzle-orm'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { attachments } from '../../db/tables/attachments.ts'
import type { JobContext, JobDefinition } from '../../infra/queue.ts'
import type { Storage } from '../../infra/storage.ts'
import { type Extracted, ExtractionError, extractPdfText } from './attachments.extract.ts'
import { MAX_TEXT_CHARS } from './attachments.schema.ts'
import { EXTRACT_JOB, isPdf, refreshTaskText } from './attachments.service.ts'

type ExtractConfig = Pick<
  Config,
  | 'PDF_EXTRACT_TIMEOUT_MS'
  | 'PDF_EXTRACT_MAX_PAGES'
  | 'PDF_EXTRACT_MAX_BYTES'
  | 'PDF_EXTRACT_MAX_INFLATED_BYTES'
  | 'PDF_EXTRACT_MAX_MEMORY_MB'
>

async function readAtMost(storage: Storage, key: string, maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of await storage.get(key)) {
    size += (chunk as Buffer).length
    if (size > maxBytes) throw new ExtractionError(`the file is larger than the ${maxBytes}-byte extraction limit`)
    chunks.push(chunk as Buffer)
  }
  return new Uint8Array(Buffer.concat(chunks))
}

/** What a `done` extraction left out (its `error`, which is null when the whole text was read). */
function leftOut({ pages, pagesRead, cut }: Extracted): string | null {
  if (cut) return `the text stops at ${MAX_TEXT_CHARS} characters (page ${pagesRead} of ${pages})`
  if (pagesRead < pages) return `only the first ${pagesRead} of ${pages} pages were read (the page limit)`
  return null
}

/**
 * PDF text extraction: `queued → processing → done | failed`; `done` with an `error` saying what
 * was left out when a PDF has more pages or text than the limits. A PDF that cannot be read fails for
 * good; a storage or database error is retried (and recorded as failed on the last attempt).
 * Job data names the object too, so a run for replaced content changes nothing.
 */
export function attachmentJobs(deps: { db: Db; storage: Storage; config: ExtractConfig }): JobDefinition<never>[] {
  const { db, storage, config } = deps
  const target = (id: string, key: string) => and(eq(attachments.id, id), eq(attachments.storageKey, key))
  const setStatus = (id: string, key: string, status: 'processing' | 'failed' | 'skipped', error: string | null) =>
    db
      .update(attachments)
      .set({
        extractionStatus: status,
        extractionError: error,
        updatedAt: new Date(),
        version: sql`${attachments.version} + 1`,
      })
      .where(target(id, key))

  const extract: JobDefinition<{ attachmentId: string; storageKey: string }> = {
    name: EXTRACT_JOB,
    retryLimit: 3,
    retryDelaySeconds: 2,
    // each runs in a process of its own, up to PDF_EXTRACT_MAX_MEMORY_MB: two at once bound the memory
    concurrency: 2,
    // a worker that dies mid-extraction frees the job after this: the extraction itself is killed at
    // its time limit, so the margin covers the download and the database writes
    expireInSeconds: Math.ceil(config.PDF_EXTRACT_TIMEOUT_MS / 1000) + 15,
    handle: async ({ attachmentId: id, storageKey: key }, ctx: JobContext) => {
      const [row] = await db.select().from(attachments).where(target(id, key))
      if (!row) return { outcome: 'gone' } // deleted, or its content replaced since
      if (!isPdf(row.contentType)) {
        await setStatus(id, key, 'skipped', null)
        return { outcome: 'skipped' }
      }
      await setStatus(id, key, 'processing', null)
      ctx.log.info({ attachmentId: id, size: row.size }, 'pdf extraction started')
      try {
        const bytes = await readAtMost(storage, key, config.PDF_EXTRACT_MAX_BYTES)
        const extracted = await extractPdfText(bytes, {
          maxPages: config.PDF_EXTRACT_MAX_PAGES,
          timeoutMs: config.PDF_EXTRACT_TIMEOUT_MS,
          maxChars: MAX_TEXT_CHARS,
          maxInflatedBytes: config.PDF_EXTRACT_MAX_INFLATED_BYTES,
          maxMemoryMb: config.PDF_EXTRACT_MAX_MEMORY_MB,
        })
        const { text, pages, pagesRead } = extracted
        await db.transaction(async (tx) => {
          const done = await tx
            .update(attachments)
            .set({
              extractionStatus: 'done',
              extractionError: leftOut(extracted),
              // PostgreSQL text cannot hold NUL
              extractedText: text.replaceAll('\u0000', ''),
              updatedAt: new Date(),
              version: sql`${attachments.version} + 1`,
            })
            .where(target(id, key))
            .returning({ taskId: attachments.taskId })
          if (done[0]) await refreshTaskText(tx, done[0].taskId)
        })
        ctx.log.info({ attachmentId: id, pages, pagesRead, chars: text.length }, 'pdf extraction done')
        return { outcome: 'done', pages, pagesRead, chars: text.length }
      } catch (err) {
        if (err instanceof ExtractionError || ctx.lastAttempt) {
          await setStatus(id, key, 'failed', (err as Error).message.slice(0, 1000))
          ctx.log.info({ attachmentId: id, error: (err as Error).message }, 'pdf extraction failed')
          return { outcome: 'failed' }
        }
        throw err
      }
    },
  }
  return [extract] as JobDefinition<never>[]
}
