import { createHmac } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import type { ResolvedTarget } from './ssrf.ts'

export const TIMEOUT_MS = 10_000
/** How much of a receiver's answer is kept with the attempt. */
const RESPONSE_BODY_BYTES = 4096

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>` */
export function signature(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000)
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
  return `t=${t},v1=${v1}`
}

export interface SendResult {
  statusCode: number | null
  durationMs: number
  error: string | null
  responseBody: string | null
}

/**
 * POSTs to the checked address only: the lookup is pinned to it, so a DNS answer that changes
 * between the check and the connection (rebinding) cannot redirect the request. Redirects are not
 * followed (a 3xx is a failed attempt). Never throws: a network error is a result too.
 */
export function postPinned(
  target: ResolvedTarget,
  body: string,
  headers: Record<string, string>,
  timeoutMs = TIMEOUT_MS,
): Promise<SendResult> {
  const started = performance.now()
  const { url, address, family } = target
  const lookup = ((_host, opts, cb) => {
    if ((opts as { all?: boolean }).all)
      (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }])
    else cb(null, address, family)
  }) as LookupFunction
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve) => {
    let settled = false
    const finish = (r: Omit<SendResult, 'durationMs'>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ ...r, durationMs: Math.round(performance.now() - started) })
    }
    const req = client.request(
      url,
      {
        method: 'POST',
        lookup,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          if (size < RESPONSE_BODY_BYTES) chunks.push(chunk)
          size += chunk.length
          // enough kept: stop reading a large answer
          if (size >= RESPONSE_BODY_BYTES) res.destroy()
        })
        const done = () =>
          finish({
            statusCode: res.statusCode ?? null,
            error: null,
            responseBody: Buffer.concat(chunks).subarray(0, RESPONSE_BODY_BYTES).toString('utf8'),
          })
        res.on('end', done)
        res.on('close', done)
        res.on('error', done)
      },
    )
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${timeoutMs / 1000} s`))
    }, timeoutMs)
    req.on('error', (err) => finish({ statusCode: null, error: err.message || String(err), responseBody: null }))
    req.end(body)
  })
}
