import type { TokenPair } from '../api/types.ts'

/**
 * The signed-in session, shared by every tab of this browser.
 *
 * The refresh token lives in localStorage so a reload or a new tab stays signed in. It is single
 * use: each refresh rotates it, and presenting a used one revokes the whole family (the API's
 * reuse detection). Tabs therefore refresh one at a time under a Web Lock and read the pair back
 * from storage inside it, so a tab never sends a token another tab has already rotated. The access
 * token is stored beside it (it lives 15 minutes) so tabs share it instead of each refreshing.
 * What an XSS could read here is limited by the app's Content-Security-Policy (scripts from this
 * origin only) and by reuse detection: a stolen refresh token used once logs the family out.
 */
export interface Session {
  accessToken: string
  refreshToken: string
  /** epoch ms */
  expiresAt: number
}

const KEY = 'tasklane.session'
// refresh a little before expiry so a request never leaves with a token about to lapse
const EARLY_MS = 30_000

type Listener = (session: Session | null) => void
const listeners = new Set<Listener>()
let current: Session | null = read()
let inflight: Promise<Session | null> | null = null

function read(): Session | null {
  try {
    const raw = globalThis.localStorage?.getItem(KEY)
    const parsed = raw ? (JSON.parse(raw) as Session) : null
    return parsed?.refreshToken ? parsed : null
  } catch {
    return null
  }
}

function publish(session: Session | null) {
  current = session
  for (const listener of listeners) listener(session)
}

if (typeof window !== 'undefined') {
  // another tab signed in, rotated or signed out
  window.addEventListener('storage', (e) => {
    if (e.key === KEY || e.key === null) publish(read())
  })
}

export const getSession = () => current

export function subscribe(listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function saveSession(pair: TokenPair) {
  const session = {
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresAt: Date.now() + pair.expiresIn * 1000,
  }
  localStorage.setItem(KEY, JSON.stringify(session))
  publish(session)
}

export function clearSession() {
  localStorage.removeItem(KEY)
  publish(null)
}

const withLock = <T>(fn: () => Promise<T>): Promise<T> =>
  typeof navigator !== 'undefined' && navigator.locks
    ? (navigator.locks.request('tasklane.refresh', fn) as Promise<T>)
    : fn()

/**
 * A fresh session: the current one while its access token has time left, otherwise a rotated one.
 * `force` rotates even so (the server refused the token). One refresh at a time per browser.
 */
export function refreshSession(force = false, fetchImpl: typeof fetch = fetch): Promise<Session | null> {
  const stale = current?.accessToken
  inflight ??= withLock(async () => {
    const stored = read()
    // another tab rotated while this one waited for the lock: take its pair
    if (stored && (stored.accessToken !== stale || !force) && stored.expiresAt - EARLY_MS > Date.now()) {
      if (stored.accessToken !== current?.accessToken) publish(stored)
      return stored
    }
    if (!stored) {
      if (current) publish(null)
      return null
    }
    const res = await fetchImpl('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: stored.refreshToken }),
    })
    if (res.status === 400 || res.status === 401) {
      // revoked, expired or reused elsewhere: this browser is signed out
      clearSession()
      return null
    }
    if (!res.ok) throw new Error(`refresh failed (${res.status})`)
    saveSession((await res.json()) as TokenPair)
    return current
  }).finally(() => {
    inflight = null
  })
  return inflight
}

/** The access token to send, refreshed first when it is about to expire; null when signed out. */
export async function accessToken(fetchImpl?: typeof fetch): Promise<string | null> {
  if (!current) return null
  if (current.expiresAt - EARLY_MS > Date.now()) return current.accessToken
  return (await refreshSession(false, fetchImpl))?.accessToken ?? null
}
