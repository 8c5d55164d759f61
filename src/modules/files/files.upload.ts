import { Readable } from 'node:stream'
import type {} from '@fastify/multipart'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { FastifyRouteSchemaDef } from 'fastify/types/schema.js'
import { validatorCompiler } from 'fastify-type-provider-zod'
import type { Config } from '../../config.ts'
import type { Database } from '../../db/client.ts'
import { badRequest, payloadTooLarge, unsupportedMediaType } from '../../http/problem.ts'
import type { Queue } from '../../infra/queue.ts'
import { ObjectTooLarge, type Storage } from '../../infra/storage.ts'
import { newId } from '../../lib/ids.ts'
import { SNIFF_BYTES, sniffContentType } from '../../lib/sniff.ts'

/** What the routes that take uploads (attachments, notes) are given: they store, and queue the follow-up jobs. */
export interface UploadRoutesOptions {
  database: Database
  storage: Storage
  queue: Queue
  config: Pick<Config, 'MAX_UPLOAD_BYTES'>
}

/** A file written to storage, not yet named by any row. */
export interface StoredFile {
  key: string
  filename: string
  contentType: string
  size: number
  sha256: string
}

/** Every object the API writes lives under this prefix (the sweep looks nowhere else). */
export const FILES_PREFIX = 'files/'
export const newFileKey = () => `${FILES_PREFIX}${newId()}`

// headers and part boundaries around the file: a body this much over the limit is refused unread
const MULTIPART_OVERHEAD = 64 * 1024

/** A name safe to store and to echo in Content-Disposition: no path, no control characters, bounded. */
function cleanFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? ''
  const clean = base
    // control characters (header injection, terminal tricks) go
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, 255)
  return clean && clean !== '.' && clean !== '..' ? clean : 'file'
}

/** The outer bounds of an upload route's multipart body; the file's own limit is set where it is read. */
export const uploadParts = { limits: { files: 1, fields: 20, fieldSize: 1024, parts: 25 } }

/**
 * Streams the multipart field `file` into storage under a new key, hashing and counting on the
 * way, with the content type sniffed from the first bytes. Past `maxBytes` it answers 413 and
 * leaves nothing behind. The caller must then name the object in a row, or delete it.
 */
export async function receiveFile(
  req: FastifyRequest,
  storage: Storage,
  maxBytes: number,
  opts: {
    /** where to store it (default: a new key under files/) */
    key?: string
    /** checks the fields sent before the file, before any byte is stored (throw to refuse) */
    accept?: (fields: Record<string, string>) => Promise<void>
  } = {},
): Promise<StoredFile> {
  if (!req.isMultipart()) throw unsupportedMediaType('Send the file as multipart/form-data in the field "file"')
  const tooLarge = () => payloadTooLarge(`The file is larger than ${maxBytes} bytes`)
  if (Number(req.headers['content-length'] ?? 0) > maxBytes + MULTIPART_OVERHEAD) throw tooLarge()
  // one byte over the limit reaches the meter, which then fails the write (busboy alone would truncate silently)
  const part = await req
    .file({ limits: { fileSize: maxBytes + 1, files: 1, fields: 20, fieldSize: 1024, parts: 25 } })
    .catch((err) => {
      throw malformed(err)
    })
  if (part?.fieldname !== 'file') {
    part?.file.resume()
    throw badRequest('The multipart field "file" is missing', [{ path: 'body.file', message: 'required' }])
  }
  if (opts.accept) {
    const fields: Record<string, string> = {}
    for (const [name, field] of Object.entries(part.fields)) {
      const value = Array.isArray(field) ? field[0] : field
      if (value && value.type === 'field' && typeof value.value === 'string') fields[name] = value.value
    }
    await opts.accept(fields).catch((err) => {
      part.file.resume()
      throw err
    })
  }
  let head = Buffer.alloc(0)
  // the request's own fault while its file is read (cut short, a boundary that never comes): kept
  // here, since a storage engine may wrap the error it got from the stream
  let unreadable: Error | undefined
  const body = Readable.from(
    (async function* () {
      try {
        for await (const chunk of part.file as AsyncIterable<Buffer>) {
          if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)])
          yield chunk
        }
      } catch (err) {
        unreadable = malformed(err)
        throw unreadable
      }
    })(),
  )
  const key = opts.key ?? newFileKey()
  const filename = cleanFilename(part.filename)
  try {
    const { size, sha256 } = await storage.put(key, body, { maxBytes })
    return { key, filename, contentType: sniffContentType(head, filename), size, sha256 }
  } catch (err) {
    if (err instanceof ObjectTooLarge) throw tooLarge()
    throw unreadable ?? err
  }
}

/**
 * What the multipart parser refuses is the client's fault: its own limit errors already carry a
 * 4xx; anything else it throws (no boundary, a body that ends before its closing boundary, a
 * header it cannot read) is a 400 rather than a failed request.
 */
function malformed(err: unknown): Error {
  const status = (err as { statusCode?: number }).statusCode
  if (err instanceof Error && status !== undefined && status >= 400 && status < 500) return err
  const reason = err instanceof Error ? err.message : String(err)
  return badRequest(`Not a well-formed multipart/form-data body: ${reason}`, [
    { path: 'body.file', message: `not a well-formed multipart body (${reason})` },
  ])
}

/**
 * Object first, then row: runs `write` (which names the stored object in the database) and, if it
 * fails, deletes the object again so no object is left without a row. A crash in between leaves
 * an orphan that the sweep removes.
 */
export async function nameStoredFile<T>(
  storage: Storage,
  file: StoredFile,
  log: FastifyBaseLogger,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write()
  } catch (err) {
    await storage.delete(file.key).catch((e) => log.warn({ err: e, key: file.key }, 'could not delete orphan object'))
    throw err
  }
}

/**
 * Route options for an upload: the body schema documents the multipart form in OpenAPI, while the
 * handler streams the file itself, so the body is not validated (nor buffered) here.
 */
export const uploadRoute = {
  validatorCompiler: (req: FastifyRouteSchemaDef<unknown>) =>
    req.httpPart === 'body' ? () => ({ value: undefined }) : validatorCompiler(req as never),
}
