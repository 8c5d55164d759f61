import { accessToken, refreshSession } from '../auth/session.ts'
import { idempotencyKey } from './idempotency-key.ts'
import { ApiError } from './problem.ts'

/** What the app shows while a request waits to be retried (a live region reads it out). */
export type Trouble = { kind: 'offline' | 'rate-limited' | 'unavailable'; retryInMs: number } | null
type TroubleListener = (trouble: Trouble) => void
const troubleListeners = new Set<TroubleListener>()
export const onTrouble = (listener: TroubleListener) => {
  troubleListeners.add(listener)
  return () => {
    troubleListeners.delete(listener)
  }
}
const report = (trouble: Trouble) => {
  for (const listener of troubleListeners) listener(trouble)
}

const MAX_RETRIES = 3
// Retry-After beyond this is shown as an error instead of a frozen screen
const MAX_WAIT_MS = 15_000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// a request is sent again only when a second copy cannot do harm: reads, idempotent writes, and
// creates that carry an Idempotency-Key (the server replays the first answer)
const repeatable = (req: Request) => req.method !== 'POST' || req.headers.has('idempotency-key')

const retryAfterMs = (res: Response, attempt: number) => {
  const header = Number(res.headers.get('retry-after'))
  return Number.isFinite(header) && header > 0 ? header * 1000 : 1000 * 2 ** attempt
}

/**
 * fetch for the API: sends the access token (refreshing it when it expires or is refused once),
 * gives every create an Idempotency-Key, and retries what is safe to retry after a network error,
 * a 429 or a 503, telling the screen while it waits.
 */
export async function apiFetch(input: Request): Promise<Response> {
  if (input.method === 'POST' && !input.headers.has('idempotency-key') && !input.url.includes('/auth/')) {
    input.headers.set('idempotency-key', idempotencyKey())
  }
  let refreshed = false
  for (let attempt = 0; ; attempt++) {
    const req = input.clone()
    const token = await accessToken()
    if (token) req.headers.set('authorization', `Bearer ${token}`)
    let res: Response
    try {
      res = await fetch(req)
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err
      if (attempt >= MAX_RETRIES || !repeatable(input)) {
        report(null)
        throw new ApiError(0, undefined)
      }
      const wait = 500 * 3 ** attempt
      report({ kind: 'offline', retryInMs: wait })
      await sleep(wait)
      continue
    }
    if (res.status === 401 && token && !refreshed) {
      refreshed = true
      if (await refreshSession(true)) continue
      return res
    }
    if ((res.status === 429 || res.status === 503) && attempt < MAX_RETRIES && repeatable(input)) {
      const wait = retryAfterMs(res, attempt)
      if (wait <= MAX_WAIT_MS) {
        report({ kind: res.status === 429 ? 'rate-limited' : 'unavailable', retryInMs: wait })
        await sleep(wait)
        continue
      }
    }
    report(null)
    return res
  }
}
