import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver'

export interface TestS3 {
  /** environment for loadConfig: S3 mode against this server */
  env: Record<string, string>
  endpoint: string
  bucket: string
  credentials: { accessKeyId: string; secretAccessKey: string }
  close(): Promise<void>
}

/** An S3-compatible server (s3rver) on 127.0.0.1 with one empty bucket, in this process. */
export async function startTestS3(bucket = 'tasklane-test'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'tasklane-s3-'))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  })
  const { port } = (await server.run()) as { port: number }
  const endpoint = `http://127.0.0.1:${port}`
  let closing: Promise<void> | undefined
  // s3rver accepts this fixed key pair (and does not check presigned signatures)
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
  return {
    endpoint,
    bucket,
    credentials,
    env: {
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    // closing twice is fine (a test may stop the store before the app's teardown does)
    close: async () => {
      closing ??= (async () => {
        await server.close()
        rmSync(directory, { recursive: true, force: true })
      })()
      await closing
    },
  }
}
