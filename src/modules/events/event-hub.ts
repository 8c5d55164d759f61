import type { ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { Database } from '../../db/client.ts'
import type { Scope } from '../../http/auth.ts'
import { ACTIVITY_CHANNEL, createLogFollower } from '../activity/index.ts'
import type { UserStates } from '../auth/index.ts'
import { type Credential, endedCredentials } from '../auth/index.ts'
import { entriesAfter, toEvent } from './events.queries.ts'

const HEARTBEAT_MS = 15_000
/** a client this far behind (bytes queued in the socket) is cut off; it resumes by Last-Event-ID */
export const MAX_BUFFERED_BYTES = 1024 * 1024
export const MAX_STREAMS_PER_USER = 5
const PAGE = 500

/** Who a stream is for: the user, the session or token it was opened with, and that credential's scopes. */
export type Viewer = Credential & { scopes: readonly Scope[] }

interface Stream {
  viewer: Viewer
  res: ServerResponse
  cursor: number
  pumping: boolean
  again: boolean
}

export interface HubMetrics {
  delivered(lagSeconds: number): void
}

/**
 * The SSE streams of this instance. Each stream follows the activity log from its own cursor up
 * to the safe mark, reading only what its user may see at that moment (so a user removed from a
 * team stops receiving its events at once). A NOTIFY at commit, from any instance, wakes the hub.
 */
export function createEventHub(opts: {
  database: Database
  states: UserStates
  log: Logger
  metrics?: HubMetrics
  /** how often every stream gets a heartbeat and its credentials are checked again (HEARTBEAT_MS) */
  heartbeatMs?: number
}) {
  const { database, states, log, heartbeatMs = HEARTBEAT_MS } = opts
  const follower = createLogFollower(database)
  const streams = new Set<Stream>()
  let unlisten: (() => Promise<void>) | undefined
  let starting: Promise<void> | undefined
  let timer: NodeJS.Timeout | undefined
  let heartbeat: NodeJS.Timeout | undefined
  let closed = false
  let dispatched = 0

  const write = (s: Stream, chunk: string) => {
    if (s.res.destroyed) return false
    s.res.write(chunk)
    if (s.res.writableLength > MAX_BUFFERED_BYTES) {
      log.warn({ userId: s.viewer.userId, buffered: s.res.writableLength }, 'SSE client too slow; closing its stream')
      s.res.destroy()
      return false
    }
    return true
  }

  async function pump(s: Stream) {
    if (s.pumping) {
      s.again = true
      return
    }
    s.pumping = true
    try {
      do {
        s.again = false
        const state = await states.get(s.viewer.userId)
        if (!state || state.disabled) {
          s.res.end()
          return
        }
        // read up to the mark as it is now; it may move while the read runs, and what lies beyond
        // this one is read on the next round (a wake sets `again`), never skipped
        const upTo = follower.mark
        for (;;) {
          const rows = await entriesAfter(database.db, s.viewer, { after: s.cursor, upTo, limit: PAGE })
          for (const row of rows) {
            const chunk = `id: ${row.id}\nevent: ${row.action}\ndata: ${JSON.stringify(toEvent(row))}\n\n`
            if (!write(s, chunk)) return
            opts.metrics?.delivered((Date.now() - row.createdAt.getTime()) / 1000)
            s.cursor = row.id
          }
          if (rows.length < PAGE) break
        }
        // nothing more visible up to that mark: skip past it so the next read starts there
        s.cursor = Math.max(s.cursor, upTo)
      } while (s.again && !s.res.destroyed)
    } catch (err) {
      log.warn({ err }, 'SSE delivery failed; closing the stream')
      s.res.destroy()
    } finally {
      s.pumping = false
    }
  }

  async function wake() {
    if (closed) return
    const mark = await follower.advance().catch((err) => {
      log.warn({ err }, 'could not read the activity log position')
      return dispatched
    })
    // the mark may also have been moved by a request-time reader (the change feed): compare with
    // what the streams were last woken for, not with the mark before this call
    if (mark > dispatched) {
      dispatched = mark
      for (const s of streams) void pump(s)
    }
    // transactions in flight hold the mark back: look again shortly
    if (follower.pending) setTimeout(() => void wake(), 50).unref()
  }

  /**
   * Checks the credentials of the streams `which` selects and ends those signed out, revoked,
   * expired or of a disabled user. The reads already deliver nothing to them (the credential is
   * part of each read's statement); this closes the connection.
   */
  async function revalidate(which: (s: Stream) => boolean) {
    const chosen = [...streams].filter(which)
    if (!chosen.length) return
    try {
      const ended = new Set(
        await endedCredentials(
          database.db,
          chosen.map((s) => s.viewer),
        ),
      )
      for (const s of chosen) {
        const state = await states.get(s.viewer.userId)
        if (ended.has(s.viewer) || !state || state.disabled) s.res.end()
      }
    } catch (err) {
      log.warn({ err }, 'could not check the credentials of open streams')
    }
  }

  async function start() {
    await follower.advance()
    unlisten = await database.listen(ACTIVITY_CHANNEL, () => void wake())
    // a safety net for notifications lost while the listening connection reconnected
    timer = setInterval(() => void wake(), 2_000)
    timer.unref()
    heartbeat = setInterval(() => {
      for (const s of streams) write(s, ': heartbeat\n\n')
      // a safety net for invalidations lost on the way (Redis away): every stream is checked again
      void revalidate(() => true)
    }, heartbeatMs)
    heartbeat.unref()
  }

  return {
    follower,
    get size() {
      return streams.size
    },
    /**
     * Ends at once the streams whose credentials no longer stand: those of `userId` (their sessions
     * or state changed), or every token's stream when `userId` is null (some token was revoked).
     */
    credentialsChanged: (userId: string | null) =>
      revalidate((s) => (userId === null ? s.viewer.tokenId !== undefined : s.viewer.userId === userId)),
    /** Follows the log for one client from `after` (or from now), until the client goes away. */
    async open(viewer: Viewer, res: ServerResponse, after?: number) {
      // a start that failed (the database away) is tried again by the next client, not kept failed
      starting ??= start().catch((err) => {
        starting = undefined
        throw err
      })
      await starting
      // "from now" means from everything committed before the client connected
      if (after === undefined) await follower.settle(500)
      const s: Stream = { viewer, res, cursor: after ?? follower.mark, pumping: false, again: false }
      streams.add(s)
      res.on('close', () => streams.delete(s))
      write(s, ': connected\n\n')
      await follower.advance()
      void pump(s)
    },
    /** Ends every stream (shutdown): clients reconnect to another instance and resume by id. */
    async close() {
      closed = true
      clearInterval(timer)
      clearInterval(heartbeat)
      for (const s of streams) s.res.end()
      streams.clear()
      await unlisten?.()
    },
  }
}
export type EventHub = ReturnType<typeof createEventHub>
