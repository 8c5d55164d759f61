import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import {
  assertKey,
  assertPrefix,
  contentDisposition,
  meter,
  type ObjectInfo,
  ObjectNotFound,
  ObjectTooLarge,
  outageAware,
  type PutResult,
  type Storage,
  StorageUnavailable,
} from './storage.ts'

export interface S3StorageOptions {
  bucket: string
  region: string
  endpoint?: string
  /** every key is stored under it, so environments can share one bucket (`prod/`, `staging/`) */
  prefix?: string
  forcePathStyle?: boolean
  /** explicit credentials (tests); otherwise the standard AWS chain (env, profile, instance role) */
  credentials?: S3ClientConfig['credentials']
  /** bytes per multipart part (S3's minimum is 5 MiB); larger uploads go up in parts */
  partSize?: number
}

const notFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } }
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404
}

/** Objects in an S3-compatible bucket. Uploads stream in parts (memory is bounded by part size × 2). */
export function s3Storage(opts: S3StorageOptions): Storage {
  const client = new S3Client({
    region: opts.region,
    endpoint: opts.endpoint,
    forcePathStyle: opts.forcePathStyle,
    credentials: opts.credentials,
    // S3-compatible stores (MinIO, Ceph, s3rver…) do not all understand the newer default checksum trailers
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  const prefix = opts.prefix ?? ''
  const Bucket = opts.bucket
  const full = (key: string) => {
    assertKey(key)
    return prefix + key
  }

  async function head(key: string): Promise<ObjectInfo | null> {
    const Key = full(key)
    return outageAware('head', async () => {
      try {
        const res = await client.send(new HeadObjectCommand({ Bucket, Key }))
        return { key, size: res.ContentLength ?? 0, lastModified: res.LastModified ?? new Date(0) }
      } catch (err) {
        if (notFound(err)) return null
        throw err
      }
    })
  }

  return {
    kind: 's3',
    async put(key, body, putOpts = {}): Promise<PutResult> {
      const m = meter(putOpts)
      const Key = full(key)
      const upload = new Upload({
        client,
        params: { Bucket, Key, Body: m.stream, ContentType: putOpts.contentType },
        partSize: opts.partSize ?? 5 * 1024 * 1024,
        queueSize: 2,
        leavePartsOnError: false,
      })
      const piping = pipeline(body, m.stream)
      const uploading = upload.done()
      try {
        await Promise.all([piping, uploading])
      } catch (err) {
        piping.catch(() => {})
        uploading.catch(() => {})
        body.destroy()
        m.stream.destroy()
        // a multipart upload in progress is aborted so no parts linger (billed, invisible)
        await upload.abort().catch(() => {})
        // too large is the upload's fault, whichever side noticed first; anything else is the store's
        const tooLarge = m.stream.errored instanceof ObjectTooLarge ? m.stream.errored : err
        throw tooLarge instanceof ObjectTooLarge ? tooLarge : new StorageUnavailable('put', err)
      }
      return m.result()
    },
    async get(key) {
      const Key = full(key)
      return outageAware('get', async () => {
        try {
          const res = await client.send(new GetObjectCommand({ Bucket, Key }))
          return res.Body as Readable
        } catch (err) {
          if (notFound(err)) throw new ObjectNotFound(key)
          throw err
        }
      })
    },
    head,
    exists: async (key) => (await head(key)) !== null,
    async delete(key) {
      const Key = full(key)
      await outageAware('delete', () => client.send(new DeleteObjectCommand({ Bucket, Key })))
    },
    async *list(listPrefix, listOpts = {}) {
      assertPrefix(listPrefix)
      let ContinuationToken: string | undefined
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket, Prefix: prefix + listPrefix, ContinuationToken }),
        )
        for (const o of page.Contents ?? []) {
          if (!o.Key?.startsWith(prefix)) continue
          const lastModified = o.LastModified ?? new Date(0)
          if (listOpts.olderThan && lastModified >= listOpts.olderThan) continue
          yield { key: o.Key.slice(prefix.length), size: o.Size ?? 0, lastModified }
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (ContinuationToken)
    },
    presignedGetUrl: (key, p) =>
      getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket,
          Key: full(key),
          // what S3 can carry of the API's download headers (not nosniff nor a CSP: see files.download.ts)
          ResponseContentDisposition: contentDisposition(p.filename),
          ResponseContentType: p.contentType,
          ResponseCacheControl: 'private, no-store',
        }),
        { expiresIn: p.ttlSeconds },
      ),
    async check() {
      await client.send(new HeadBucketCommand({ Bucket }))
    },
    close: async () => client.destroy(),
  }
}
