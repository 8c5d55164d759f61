import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { Database } from '../../db/client.ts'
import { sendEtag } from '../../http/etag.ts'
import type { PubSub } from '../../infra/pubsub.ts'
import type { LogFollower } from '../activity/index.ts'
import { TaskQuery } from './tasks.schema.ts'

/** invalidates every instance's list cache: a change the activity log does not carry (a user's name) */
const LIST_CACHE_CHANNEL = 'tasklane:list-cache'
/** rounds of the log follower a request waits for before it reads from the database instead */
const MAX_ROUNDS = 3
/** more unread entries than this since the last request: everything is outdated rather than read */
const MAX_UNREAD = 50_000
/** per-user team sets remembered at most (they are the cheap part: forgotten all at once beyond) */
const MAX_TEAM_SETS = 20_000
/** bump entries kept for teams and users; beyond, all are dropped and every answer invalidated */
const MAX_BUMPS = 100_000

interface Entry {
  /** the caller a list answer is for; null for a task, whose body is the same for every caller who may see it */
  userId: string | null
  /** the teams the caller belonged to when the answer was read (a task: its own team): a change in any of them outdates it */
  teams: readonly string[]
  /** the log position read before the answer's statements ran: every entry up to it is in the answer */
  mark: number
  epoch: number
  body: string
  etag: string
  bytes: number
}

interface TeamSet {
  teams: readonly string[]
  mark: number
  epoch: number
}

interface Lookups {
  hits: number
  misses: number
  /** answers read from the database because the cache could not vouch for one (a write not yet seen…) */
  bypasses: number
}

export interface ListCacheStats extends Lookups {
  /** GET /tasks/:id's lookups (the list's are the top-level counts) */
  tasks: Lookups
  /** answers remembered, lists and tasks together */
  entries: number
  bytes: number
}

/** the strong ETag of a list body */
const listEtag = (body: string) => `"l${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`

const QUERY_KEYS = Object.keys(TaskQuery.shape) as (keyof TaskQuery)[]

/** One key per caller and query, whatever the order of the query's parameters and list items. */
function keyOf(userId: string, query: TaskQuery): string {
  const parts: unknown[] = [userId]
  for (const k of QUERY_KEYS) {
    const v = query[k]
    parts.push(Array.isArray(v) ? [...v].sort() : (v ?? null))
  }
  return JSON.stringify(parts)
}

/**
 * Task list answers remembered per instance, so that asking again for a list nothing changed costs
 * no list statement and no serialisation. What outdates an answer is told by the activity log, which
 * every change of what a list shows writes in the change's own transaction (task fields, tags and
 * their names, subtasks, projects archived, memberships): an answer is served only while no entry
 * after the last one its statements saw concerns a team the caller belonged to, or the caller's
 * memberships. A user's name (an assignee's, on the page) is not in the log: a change of it clears
 * every instance's cache through pub/sub.
 *
 * Freshness: before an answer is served, the instance's log follower (the one the event streams use)
 * reads the log's position once more, in a round that starts after the request arrived, and the
 * entries up to it are read. Whatever committed before the request arrived, on any instance (the
 * caller's own writes included), has then been seen. One round serves every request that arrived
 * before it started: one small statement (the log sequence's last value) for a batch of requests
 * while nothing is written, plus one for the new entries when something was. A round held back by
 * writes still in flight means the answer is read from the database.
 *
 * Single tasks (GET /tasks/:id) go through the same rounds and entries: one per task, whatever the
 * caller, outdated by any entry of its team, and served only to a caller whose team set holds it.
 *
 * Bounded by `maxBytes` and `maxEntries` (least recently used first out). Admins' lists and tasks,
 * which see every team, and `overdue` lists, which change with the clock, are never cached.
 */
export function createListCache(opts: {
  database: Database
  follower: LogFollower
  pubsub: PubSub
  log: Logger
  maxBytes: number
  maxEntries: number
}) {
  const { database, follower, log } = opts
  const enabled = opts.maxBytes > 0 && opts.maxEntries > 0
  const entries = new Map<string, Entry>()
  let bytes = 0
  const teamSets = new Map<string, TeamSet>()
  // the log position whose entries have been read, and the moment (performance.now()) it holds for
  let seen = -1
  let covered = Number.NEGATIVE_INFINITY
  // answers and team sets read under an older epoch are outdated (a cleared cache, pruned bumps)
  let epoch = 0
  // the last position whose entries concerned a team / a user's memberships
  const teamBumps = new Map<string, number>()
  const userBumps = new Map<string, number>()
  const stats: Lookups = { hits: 0, misses: 0, bypasses: 0 }
  const taskStats: Lookups = { hits: 0, misses: 0, bypasses: 0 }
  let closed = false
  let subscribed = false
  let running: Promise<void> | null = null
  let queued: Promise<void> | null = null

  const invalidateAll = () => {
    epoch++
    entries.clear()
    teamSets.clear()
    bytes = 0
  }

  /** Moves the follower and reads the entries up to its mark: whom they concern. */
  async function sync(): Promise<void> {
    await follower.advance()
    const { mark, coveredAt } = follower.position()
    if (seen < 0 || mark - seen > MAX_UNREAD) {
      // nothing read yet, or too much to read: nothing remembered may stand
      invalidateAll()
    } else if (mark > seen) {
      const { rows } = await database.sql.query<{ team_id: string | null; user_id: string | null }>(
        `select distinct team_id::text,
                (case when entity_type = 'member' then entity_id when action = 'team.created' then actor_id end)::text as user_id
           from activity where id > $1 and id <= $2
            -- a job's own entries (started, finished) change no list; an import's tasks come with import.completed
            and not (team_id is null and entity_type = 'job')`,
        [seen, mark],
      )
      for (const r of rows) {
        // an entry of no team: nothing says whom it concerns
        if (r.team_id === null) invalidateAll()
        else teamBumps.set(r.team_id, mark)
        if (r.user_id !== null) userBumps.set(r.user_id, mark)
      }
      if (teamBumps.size > MAX_BUMPS || userBumps.size > MAX_BUMPS) {
        teamBumps.clear()
        userBumps.clear()
        invalidateAll()
      }
    }
    seen = Math.max(seen, mark)
    covered = Math.max(covered, coveredAt)
  }

  /** A round of `sync` that starts after this call: the running one may have started before. */
  function round(): Promise<void> {
    if (!running) {
      running = sync().finally(() => {
        running = null
      })
      return running
    }
    queued ??= running
      .catch(() => {})
      .then(() => {
        queued = null
        return round()
      })
    return queued
  }

  /** Whether every commit before `arrival` has been seen (false when rounds could not tell). */
  async function caughtUp(arrival: number): Promise<boolean> {
    if (!subscribed) {
      subscribed = true
      opts.pubsub.subscribe(LIST_CACHE_CHANNEL, invalidateAll)
    }
    try {
      for (let i = 0; i < MAX_ROUNDS && covered <= arrival; i++) await round()
    } catch (err) {
      log.warn({ err }, 'list cache: could not read the activity log; answering from the database')
      return false
    }
    return covered > arrival
  }

  const current = (userId: string | null, teams: readonly string[], mark: number, at: number) => {
    if (at !== epoch || (userId !== null && (userBumps.get(userId) ?? -1) > mark)) return false
    for (const t of teams) if ((teamBumps.get(t) ?? -1) > mark) return false
    return true
  }

  /** The teams `userId` belongs to, remembered until its memberships change. */
  async function teamsOf(userId: string): Promise<readonly string[]> {
    const known = teamSets.get(userId)
    if (known && current(userId, [], known.mark, known.epoch)) return known.teams
    const [mark, at] = [seen, epoch]
    const { rows } = await database.sql.query<{ team_id: string }>(
      'select team_id::text from team_members where user_id = $1',
      [userId],
    )
    const teams = rows.map((r) => r.team_id)
    if (teamSets.size >= MAX_TEAM_SETS) teamSets.clear()
    teamSets.set(userId, { teams, mark, epoch: at })
    return teams
  }

  function store(key: string, entry: Entry) {
    if (entry.bytes > opts.maxBytes / 4) return
    const old = entries.get(key)
    if (old) {
      bytes -= old.bytes
      entries.delete(key)
    }
    entries.set(key, entry)
    bytes += entry.bytes
    for (const [k, e] of entries) {
      if (bytes <= opts.maxBytes && entries.size <= opts.maxEntries) break
      entries.delete(k)
      bytes -= e.bytes
    }
  }

  const sendBody = (req: FastifyRequest, reply: FastifyReply, body: string, etag: string) => {
    if (sendEtag(req, reply, etag)) return reply
    return reply.header('content-type', 'application/json; charset=utf-8').send(body)
  }

  /** The entry under `key` when it is still current (then the most recently used), or undefined. */
  function lookup(key: string, userId: string | null): Entry | undefined {
    const hit = entries.get(key)
    if (!hit || !current(userId, hit.teams, hit.mark, hit.epoch)) return undefined
    // most recently used last: the first entries are the ones to drop
    entries.delete(key)
    entries.set(key, hit)
    return hit
  }

  return {
    /**
     * Answers a list request: from the cache when it can vouch for the answer, otherwise from
     * `read` (then remembered). Either way with an ETag, and 304 when If-None-Match names it.
     */
    async answer(
      req: FastifyRequest,
      reply: FastifyReply,
      caller: { userId: string; role: string },
      query: TaskQuery,
      read: () => Promise<unknown>,
    ): Promise<FastifyReply> {
      const arrival = performance.now()
      if (!enabled || closed || caller.role === 'admin' || query.overdue !== undefined) {
        const body = reply.serialize(await read()) as string
        return sendBody(req, reply, body, listEtag(body))
      }
      const key = keyOf(caller.userId, query)
      const fresh = await caughtUp(arrival)
      const hit = fresh ? lookup(key, caller.userId) : undefined
      if (hit) {
        stats.hits++
        return sendBody(req, reply, hit.body, hit.etag)
      }
      if (fresh) stats.misses++
      else stats.bypasses++
      // taken before the answer's statements run: every entry up to `mark` is in what they read
      const [mark, at] = [seen, epoch]
      const [teams, page] = await Promise.all([fresh ? teamsOf(caller.userId) : null, read()])
      const body = reply.serialize(page) as string
      const etag = listEtag(body)
      if (teams && !closed) {
        const size = 2 * (body.length + key.length) + 64 * teams.length
        store(key, { userId: caller.userId, teams, mark, epoch: at, body, etag, bytes: size })
      }
      return sendBody(req, reply, body, etag)
    },
    /**
     * Answers GET /tasks/:id: from the cache when it can vouch for the task and the caller is a
     * member of its team, otherwise from `read` (which applies the visibility rule itself: a 404 for
     * a task the caller may not see; a task read is then remembered for every member). The same
     * freshness round as a list's, so never older than the request; outdated by any log entry of the
     * task's team (its fields, tags, subtasks, project) and, like the lists, by a cleared cache (an
     * assignee's name). Either way with its ETag, and 304 when If-None-Match names it.
     */
    async task<T extends { teamId: string }>(
      req: FastifyRequest,
      reply: FastifyReply,
      caller: { userId: string; role: string },
      id: string,
      read: () => Promise<T>,
      etagOf: (task: T) => string,
    ): Promise<FastifyReply> {
      const arrival = performance.now()
      if (!enabled || closed || caller.role === 'admin') {
        const task = await read()
        return sendEtag(req, reply, etagOf(task)) ? reply : reply.send(task)
      }
      const key = `t:${id}`
      const fresh = await caughtUp(arrival)
      const hit = fresh ? lookup(key, null) : undefined
      // the caller's team set is as current as the round: a membership lost before the request is seen
      if (hit && (await teamsOf(caller.userId)).includes(hit.teams[0]!)) {
        taskStats.hits++
        return sendBody(req, reply, hit.body, hit.etag)
      }
      if (fresh) taskStats.misses++
      else taskStats.bypasses++
      const [mark, at] = [seen, epoch]
      const task = await read()
      const body = reply.serialize(task) as string
      const etag = etagOf(task)
      if (fresh && !closed) {
        store(key, {
          userId: null,
          teams: [task.teamId],
          mark,
          epoch: at,
          body,
          etag,
          bytes: 2 * (body.length + key.length) + 64,
        })
      }
      return sendBody(req, reply, body, etag)
    },
    /** Outdates every instance's answers (this one's at once): after a change the activity log does not carry. */
    async clear() {
      invalidateAll()
      await opts.pubsub.publish(LIST_CACHE_CHANNEL, 'clear')
    },
    get stats(): ListCacheStats {
      return { ...stats, tasks: { ...taskStats }, entries: entries.size, bytes }
    },
    close() {
      closed = true
      invalidateAll()
    },
  }
}
export type ListCache = ReturnType<typeof createListCache>
