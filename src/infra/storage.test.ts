import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { testConfig } from '../../test/app.ts'
import { startTestS3, type TestS3 } from '../../test/s3.ts'
import { ObjectNotFound, ObjectTooLarge, type Storage } from './storage.ts'
import { localStorage } from './storage-local.ts'
import { openStorage } from './storage-open.ts'
import { s3Storage } from './storage-s3.ts'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}
/** A stream of `total` random bytes in small chunks, never held whole by the reader. */
const chunked = (data: Buffer, size = 64 * 1024) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size)
    })(),
  )

let s3: TestS3
let dir: string
beforeAll(async () => {
  s3 = await startTestS3()
  dir = mkdtempSync(join(tmpdir(), 'tasklane-storage-'))
})
afterAll(async () => {
  await s3?.close()
  rmSync(dir, { recursive: true, force: true })
})

const implementations: [string, () => Storage][] = [
  ['local', () => localStorage(join(dir, 'objects'))],
  [
    's3',
    () =>
      s3Storage({
        bucket: s3.bucket,
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: s3.credentials,
        prefix: 'env-a/',
      }),
  ],
]

describe.each(implementations)('%s storage', (kind, make) => {
  let storage: Storage
  beforeAll(() => {
    storage = make()
  })
  afterAll(() => storage.close())

  it('stores and returns the same bytes, reporting size and SHA-256', async () => {
    const data = randomBytes(200_000)
    const put = await storage.put('t1/a.bin', chunked(data), { contentType: 'application/octet-stream' })
    expect(put).toEqual({ size: data.length, sha256: sha(data) })
    expect(sha(await buffer(await storage.get('t1/a.bin')))).toBe(sha(data))
    expect(await storage.head('t1/a.bin')).toMatchObject({ key: 't1/a.bin', size: data.length })
    expect(await storage.exists('t1/a.bin')).toBe(true)
  })

  it('replaces an object written under the same key', async () => {
    await storage.put('t2/x', Readable.from([Buffer.from('one')]))
    await storage.put('t2/x', Readable.from([Buffer.from('two!')]))
    expect((await buffer(await storage.get('t2/x'))).toString()).toBe('two!')
  })

  it('stores an empty object', async () => {
    const put = await storage.put('t3/empty', Readable.from([]))
    expect(put.size).toBe(0)
    expect((await buffer(await storage.get('t3/empty'))).length).toBe(0)
  })

  it('reports a missing object', async () => {
    await expect(storage.get('nope/missing')).rejects.toBeInstanceOf(ObjectNotFound)
    expect(await storage.head('nope/missing')).toBeNull()
    expect(await storage.exists('nope/missing')).toBe(false)
  })

  it('deletes, and deleting twice is fine', async () => {
    await storage.put('t4/d', Readable.from([Buffer.from('x')]))
    await storage.delete('t4/d')
    await storage.delete('t4/d')
    expect(await storage.exists('t4/d')).toBe(false)
  })

  it('fails past maxBytes and leaves nothing behind', async () => {
    const data = randomBytes(300_000)
    await expect(storage.put('t5/big', chunked(data), { maxBytes: 100_000 })).rejects.toBeInstanceOf(ObjectTooLarge)
    expect(await storage.exists('t5/big')).toBe(false)
    expect(await collect(storage.list('t5/'))).toEqual([])
    if (kind === 'local') expect(readdirSync(join(dir, 'objects', '.tmp'))).toEqual([])
  })

  it('leaves nothing when the source stream fails midway', async () => {
    const failing = new Readable({
      read() {
        this.push(randomBytes(10_000))
        this.destroy(new Error('client went away'))
      },
    })
    await expect(storage.put('t6/broken', failing)).rejects.toThrow('client went away')
    expect(await storage.exists('t6/broken')).toBe(false)
  })

  it('lists by prefix and by age', async () => {
    await storage.put('t7/a', Readable.from([Buffer.from('a')]))
    await storage.put('t7/sub/b', Readable.from([Buffer.from('b')]))
    await storage.put('t7other/c', Readable.from([Buffer.from('c')]))
    const keys = (await collect(storage.list('t7/'))).map((o) => o.key).sort()
    expect(keys).toEqual(['t7/a', 't7/sub/b'])
    expect(await collect(storage.list('t7/', { olderThan: new Date(Date.now() - 60_000) }))).toEqual([])
    const later = await collect(storage.list('t7/', { olderThan: new Date(Date.now() + 60_000) }))
    expect(later).toHaveLength(2)
  })

  it('refuses keys that could escape their place', async () => {
    for (const key of ['../etc/passwd', '/abs', 'a/../../b', 'a//b', '', 'a/./b', 'a\\b']) {
      await expect(storage.put(key, Readable.from([Buffer.from('x')]))).rejects.toThrow('invalid object key')
    }
  })

  it('answers the readiness check', async () => {
    await expect(storage.check()).resolves.toBeUndefined()
  })

  it(kind === 's3' ? 'makes a presigned GET URL that downloads the object' : 'makes no presigned URL', async () => {
    await storage.put('t8/p', Readable.from([Buffer.from('presigned bytes')]))
    const url = await storage.presignedGetUrl('t8/p', { ttlSeconds: 60, filename: 'p.txt', contentType: 'text/plain' })
    if (kind === 'local') return expect(url).toBeNull()
    expect(url).toMatch(/X-Amz-Expires=60/)
    const res = await fetch(url!)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('presigned bytes')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="p.txt"/)
  })
})

describe('S3_PREFIX', () => {
  it('keeps environments that share a bucket apart', async () => {
    const opts = {
      bucket: s3.bucket,
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
    }
    const prod = s3Storage({ ...opts, prefix: 'prod/' })
    const staging = s3Storage({ ...opts, prefix: 'staging/' })
    await prod.put('files/same', Readable.from([Buffer.from('prod')]))
    expect(await staging.exists('files/same')).toBe(false)
    await staging.put('files/same', Readable.from([Buffer.from('staging')]))
    expect((await buffer(await prod.get('files/same'))).toString()).toBe('prod')
    expect((await collect(prod.list('files/'))).map((o) => o.key)).toEqual(['files/same'])
    await prod.close()
    await staging.close()
  })

  it('uploads a large object in parts', async () => {
    const storage = s3Storage({
      bucket: s3.bucket,
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
      partSize: 5 * 1024 * 1024,
    })
    const data = randomBytes(11 * 1024 * 1024)
    const put = await storage.put('multi/big', chunked(data))
    expect(put.sha256).toBe(sha(data))
    expect(sha(await buffer(await storage.get('multi/big')))).toBe(sha(data))
    await storage.close()
  })
})

describe('openStorage', () => {
  it('opens the bucket S3_BUCKET names (loading the AWS SDK only then), STORAGE_DIR without it', async () => {
    // the SDK's default credentials: the environment, as in a deployment
    vi.stubEnv('AWS_ACCESS_KEY_ID', s3.credentials.accessKeyId)
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', s3.credentials.secretAccessKey)
    try {
      const env = { S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, S3_FORCE_PATH_STYLE: 'true', S3_PREFIX: 'opened/' }
      const onS3 = await openStorage(testConfig(env))
      await onS3.put('files/a', Readable.from([Buffer.from('in the bucket')]))
      const bucket = s3Storage({
        bucket: s3.bucket,
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        prefix: 'opened/',
        credentials: s3.credentials,
      })
      expect((await buffer(await bucket.get('files/a'))).toString()).toBe('in the bucket')
      await onS3.close()
      await bucket.close()
    } finally {
      vi.unstubAllEnvs()
    }
    const local = await openStorage(testConfig({ STORAGE_DIR: join(dir, 'opened') }))
    await local.put('files/b', Readable.from([Buffer.from('on disk')]))
    expect(readdirSync(join(dir, 'opened'), { recursive: true })).toContain(join('files', 'b'))
    await local.close()
  })
})
