import type { Config } from '../config.ts'
import type { ReadinessCheck } from './readiness.ts'
import type { Storage } from './storage.ts'
import { localStorage } from './storage-local.ts'

/**
 * The storage the configuration names: an S3 bucket with S3_BUCKET, the local STORAGE_DIR otherwise.
 * The AWS SDK is loaded only for S3: its modules are several MB of every process's heap.
 */
export async function openStorage(config: Config): Promise<Storage> {
  if (!config.S3_BUCKET) return localStorage(config.STORAGE_DIR)
  const { s3Storage } = await import('./storage-s3.ts')
  return s3Storage({
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    prefix: config.S3_PREFIX,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  })
}

/** Storage is critical for /ready: an instance that cannot store files answers 503. */
export const storageCheck = (storage: Storage): ReadinessCheck => ({
  name: 'storage',
  critical: true,
  check: () => storage.check(),
})
