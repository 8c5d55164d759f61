import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { Transform } from 'node:stream'

/** What a stored object is, as listing and `head` report it. */
export interface ObjectInfo {
  key: string
  size: number
  lastModified: Date
}

/** What `put` measured while the bytes went through. */
export interface PutResult {
  size: number
  sha256: string
}

export interface PutOptions {
  contentType?: string
  /** the upload fails with ObjectTooLarge past this many bytes, and nothing is left behind */
  maxBytes?: number
}

interface PresignOptions {
  ttlSeconds: number
  /** the download's name (Content-Disposition: attachment) */
  filename: string
  contentType: string
}

/**
 * Object storage: bytes under a key. Keys are `[A-Za-z0-9._-]` segments joined by `/`.
 * Every method streams; no implementation holds a whole object in memory.
 */
export interface Storage {
  readonly kind: 'local' | 's3'
  /** Writes the stream under `key` (replacing any object there); an object appears whole or not at all. */
  put(key: string, body: Readable, opts?: PutOptions): Promise<PutResult>
  /** The object's bytes; throws ObjectNotFound. */
  get(key: string): Promise<Readable>
  head(key: string): Promise<ObjectInfo | null>
  exists(key: string): Promise<boolean>
  /** Removes the object; removing a missing one is not an error. */
  delete(key: string): Promise<void>
  /** Every object under `prefix`, optionally only those last modified before `olderThan`. */
  list(prefix: string, opts?: { olderThan?: Date }): AsyncIterable<ObjectInfo>
  /** A short-lived URL that downloads the object directly, or null when the store cannot make one. */
  presignedGetUrl(key: string, opts: PresignOptions): Promise<string | null>
  /** Resolves when the store is reachable and writable (/ready). */
  check(): Promise<void>
  close(): Promise<void>
}

export class ObjectNotFound extends Error {
  constructor(readonly key: string) {
    super(`object ${key} not found`)
    this.name = 'ObjectNotFound'
  }
}

export class ObjectTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`object larger than ${maxBytes} bytes`)
    this.name = 'ObjectTooLarge'
  }
}

/**
 * The store failed (unreachable, refusing, full, read-only): the request is not at fault and may
 * succeed later. Nothing was written. Thrown by every method that reads or writes an object; a
 * missing object (ObjectNotFound) and a too-large upload (ObjectTooLarge) are not outages.
 */
export class StorageUnavailable extends Error {
  constructor(
    readonly operation: 'put' | 'get' | 'head' | 'delete',
    cause: unknown,
  ) {
    const e = cause as { code?: unknown; name?: unknown; message?: unknown }
    const reason = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'error'
    super(`storage ${operation} failed (${reason}): ${String(e?.message ?? cause)}`, { cause })
    this.name = 'StorageUnavailable'
  }
}

/** Runs one storage operation, turning a failure of the store itself into StorageUnavailable. */
export async function outageAware<T>(operation: StorageUnavailable['operation'], run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof ObjectNotFound || err instanceof ObjectTooLarge || err instanceof StorageUnavailable) throw err
    throw new StorageUnavailable(operation, err)
  }
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/

/** Throws on a key that could escape its prefix (`..`, absolute paths, odd characters). */
export function assertKey(key: string): void {
  const segments = key.split('/')
  if (key.length > 900 || !segments.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..')) {
    throw new Error(`invalid object key: ${JSON.stringify(key)}`)
  }
}

/** A prefix for `list`: empty, or key segments ending in `/`. */
export function assertPrefix(prefix: string): void {
  if (prefix === '') return
  assertKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix)
}

/**
 * A pass-through that hashes and counts the bytes, and fails with ObjectTooLarge as soon as
 * `maxBytes` is passed (so a too-large upload stops early instead of being written whole).
 */
export function meter(opts: PutOptions = {}) {
  const hash = createHash('sha256')
  let size = 0
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length
      if (opts.maxBytes !== undefined && size > opts.maxBytes) return done(new ObjectTooLarge(opts.maxBytes))
      hash.update(chunk)
      done(null, chunk)
    },
  })
  return { stream, result: (): PutResult => ({ size, sha256: hash.digest('hex') }) }
}

/** `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`
}
