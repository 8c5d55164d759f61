import { accessToken, refreshSession } from '../auth/session.ts'
import { idempotencyKey } from './idempotency-key.ts'
import { ApiError, unwrap } from './problem.ts'
import type { Problem } from './types.ts'

function send<T>(
  method: 'POST' | 'PUT',
  url: string,
  file: File,
  fields: Record<string, string>,
  token: string | null,
  onProgress: (fraction: number) => void,
) {
  return new Promise<{ status: number; body: unknown; retryAfter: string | null }>((resolve, reject) => {
    // XMLHttpRequest, because fetch reports no upload progress
    const xhr = new XMLHttpRequest()
    xhr.open(method, url)
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`)
    if (method === 'POST') xhr.setRequestHeader('idempotency-key', idempotencyKey())
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total)
    xhr.onload = () => {
      let body: unknown
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        body = undefined
      }
      resolve({ status: xhr.status, body: body as T, retryAfter: xhr.getResponseHeader('retry-after') })
    }
    xhr.onerror = () => reject(new ApiError(0, undefined))
    const form = new FormData()
    // the fields first: the server reads them before it streams the file
    for (const [name, value] of Object.entries(fields)) form.append(name, value)
    form.append('file', file, file.name)
    xhr.send(form)
  })
}

/**
 * Uploads a file as the multipart `file` field, after the form `fields`, reporting progress (0..1);
 * the created resource, or an ApiError (carrying Retry-After when the server sent one).
 */
export async function uploadFile<T>(
  url: string,
  file: File,
  onProgress: (fraction: number) => void,
  method: 'POST' | 'PUT' = 'POST',
  fields: Record<string, string> = {},
): Promise<T> {
  let res = await send<T>(method, url, file, fields, await accessToken(), onProgress)
  if (res.status === 401 && (await refreshSession(true))) {
    res = await send<T>(method, url, file, fields, await accessToken(), onProgress)
  }
  if (res.status >= 200 && res.status < 300) return res.body as T
  const headers = res.retryAfter ? { 'retry-after': res.retryAfter } : undefined
  throw new ApiError(res.status, res.body as Problem | undefined, new Response(null, { status: res.status, headers }))
}

/**
 * Downloads a file the API serves to signed-in callers only, under its own name: the browser follows
 * a one-minute, single-use link (POST /download-tickets) itself, so the bytes go straight to disk
 * instead of through memory, and on S3 storage the API's redirect to the store is a navigation,
 * which the page's `connect-src 'self'` does not govern (a fetch of it would be refused).
 */
export async function downloadFile(url: string, filename: string) {
  const { api } = await import('./client.ts')
  const { url: link } = unwrap(await api.POST('/api/v1/download-tickets', { body: { path: url } }))
  const a = document.createElement('a')
  a.href = link
  a.download = filename
  document.body.append(a)
  a.click()
  a.remove()
}
