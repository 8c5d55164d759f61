import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { access, constants, mkdir, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  assertKey,
  assertPrefix,
  meter,
  type ObjectInfo,
  ObjectNotFound,
  outageAware,
  type PutOptions,
  type PutResult,
  type Storage,
} from './storage.ts'

// partial writes live here until renamed into place; `list` never shows them
const TMP = '.tmp'

/**
 * Objects as files under one directory. A write goes to a temporary file first and is renamed
 * into place, so a reader or a crash never sees half an object.
 */
export function localStorage(root: string): Storage {
  const base = resolve(root)
  const pathOf = (key: string) => {
    assertKey(key)
    const path = resolve(base, key)
    // belt and braces on top of assertKey: nothing resolves outside the root
    if (!path.startsWith(base + sep)) throw new Error(`invalid object key: ${JSON.stringify(key)}`)
    return path
  }

  async function head(key: string): Promise<ObjectInfo | null> {
    const path = pathOf(key)
    return outageAware('head', async () => {
      try {
        const s = await stat(path)
        return s.isFile() ? { key, size: s.size, lastModified: s.mtime } : null
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
        throw err
      }
    })
  }

  async function* walk(dir: string): AsyncGenerator<string> {
    let entries: import('node:fs').Dirent[]
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    for (const e of entries) {
      const path = join(dir, e.name)
      if (e.isDirectory()) {
        if (path !== join(base, TMP)) yield* walk(path)
      } else if (e.isFile()) yield path
    }
  }

  return {
    kind: 'local',
    async put(key: string, body: Readable, opts: PutOptions = {}): Promise<PutResult> {
      const target = pathOf(key)
      const tmpDir = join(base, TMP)
      const tmp = join(tmpDir, `${randomBytes(12).toString('hex')}.part`)
      const m = meter(opts)
      await outageAware('put', async () => {
        try {
          await mkdir(tmpDir, { recursive: true })
          await pipeline(body, m.stream, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }))
          await mkdir(dirname(target), { recursive: true })
          await rename(tmp, target)
        } catch (err) {
          await rm(tmp, { force: true }).catch(() => {})
          body.destroy()
          throw err
        }
      })
      return m.result()
    },
    async get(key) {
      const path = pathOf(key)
      // open eagerly so a missing object is an error here, not a stream that fails later
      const stream = createReadStream(path)
      await outageAware(
        'get',
        () =>
          new Promise<void>((ok, fail) => {
            stream.once('open', () => ok())
            stream.once('error', (err: NodeJS.ErrnoException) =>
              fail(err.code === 'ENOENT' ? new ObjectNotFound(key) : err),
            )
          }),
      )
      return stream
    },
    head,
    exists: async (key) => (await head(key)) !== null,
    async delete(key) {
      const path = pathOf(key)
      await outageAware('delete', async () => {
        try {
          await unlink(path)
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        }
      })
    },
    async *list(prefix, opts = {}) {
      assertPrefix(prefix)
      // walk the deepest directory the prefix names, then filter on the full key
      const dir = prefix.includes('/') ? join(base, prefix.slice(0, prefix.lastIndexOf('/'))) : base
      for await (const path of walk(dir)) {
        const key = relative(base, path).split(sep).join('/')
        if (!key.startsWith(prefix)) continue
        const s = await stat(path).catch(() => null)
        if (!s) continue
        if (opts.olderThan && s.mtime >= opts.olderThan) continue
        yield { key, size: s.size, lastModified: s.mtime }
      }
    },
    presignedGetUrl: async () => null,
    async check() {
      await mkdir(join(base, TMP), { recursive: true })
      await access(base, constants.W_OK)
      // a probe write catches a read-only or full volume that access() reports as writable
      const probe = join(base, TMP, `probe-${randomBytes(6).toString('hex')}`)
      await writeFile(probe, '')
      await unlink(probe)
    },
    close: async () => {},
  }
}
