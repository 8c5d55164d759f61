// The bare reference: node:http + pg (or the embedded PGlite), no framework, no ORM. It answers
// GET /api/v1/tasks and GET /api/v1/tasks/:id with the app's SQL and the app's token check
// (jose HS256 + the cached per-user state), so the ratio app ÷ reference prices everything else.
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin'
import { jwtVerify } from 'jose'
import pg from 'pg'
import {
  GET_TASK,
  type ListFilters,
  listTasksSql,
  PROJECT_VISIBLE,
  REVOKED_FAMILIES,
  TEAM_VISIBLE,
  USER_STATE,
} from './sql.ts'

type Query = (text: string, params: unknown[]) => Promise<unknown[][]>

async function connect(): Promise<{ query: Query; close: () => Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const pool = new pg.Pool({
      connectionString: process.env.DATABASE_URL,
      max: Number(process.env.DATABASE_POOL_SIZE ?? 20),
    })
    // named statements skip parsing, but after five runs PostgreSQL may switch one to a generic plan,
    // which for the list (a team or project as a parameter) is far slower: plan each run, as the app does
    pool.on('connect', (client) => void client.query('set plan_cache_mode = force_custom_plan').catch(() => {}))
    const names = new Map<string, string>()
    // named statements: parsed and planned once per connection, as a hand-tuned server would
    const nameOf = (text: string) => {
      let name = names.get(text)
      if (!name) {
        name = `ref_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`
        names.set(text, name)
      }
      return name
    }
    return {
      query: async (text, values) => (await pool.query({ name: nameOf(text), text, values, rowMode: 'array' })).rows,
      close: () => pool.end(),
    }
  }
  // the app's migrations create btree_gin (its search index): PGlite must load it to plan on tasks
  const db = new PGlite(join(process.env.DATA_DIR!, 'db', 'pg'), { extensions: { btree_gin } })
  await db.waitReady
  return {
    query: async (text, params) => (await db.query<unknown[]>(text, params, { rowMode: 'array' })).rows,
    close: () => db.close(),
  }
}

const db = await connect()
const key = new TextEncoder().encode(process.env.JWT_SECRET)
const accessTtl = Number(process.env.ACCESS_TOKEN_TTL ?? 900)
const states = new Map<string, { role: string; disabled: boolean; revoked: Set<string>; expires: number } | null>()
const STATE_TTL_MS = 30_000

async function userState(userId: string) {
  const hit = states.get(userId)
  if (hit && hit.expires > Date.now()) return hit
  const [user] = await db.query(USER_STATE, [userId])
  let state = null
  if (user) {
    const since = new Date(Date.now() - accessTtl * 1000 - 60_000)
    const revoked = await db.query(REVOKED_FAMILIES, [userId, since])
    state = {
      role: user[0] as string,
      disabled: user[1] as boolean,
      revoked: new Set(revoked.map((r) => r[0] as string)),
      expires: Date.now() + STATE_TTL_MS,
    }
  }
  if (states.size >= 50_000) states.delete(states.keys().next().value!)
  states.set(userId, state)
  return state
}

/** The caller's user id, or null for a missing, invalid, revoked or disabled token (401). */
async function authenticate(req: IncomingMessage): Promise<string | null> {
  const match = /^Bearer ([^\s]{1,4096})$/i.exec(req.headers.authorization ?? '')
  if (!match) return null
  try {
    const { payload } = await jwtVerify(match[1]!, key, {
      algorithms: ['HS256'],
      issuer: 'tasklane',
      audience: 'tasklane-api',
      requiredClaims: ['sub', 'iat', 'exp', 'jti', 'sid'],
    })
    const state = await userState(payload.sub!)
    if (!state || state.disabled || state.revoked.has(payload.sid as string)) return null
    // the app lets a global admin see every team; the bench logs in as plain members only
    return state.role === 'user' ? payload.sub! : null
  } catch {
    return null
  }
}

const PRIORITIES = ['low', 'medium', 'high', 'urgent']
const STATUSES = ['todo', 'in_progress', 'done', 'cancelled']
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const iso = (d: unknown) => (d === null ? null : (d as Date).toISOString())

const toTask = (r: unknown[]) => ({
  id: r[0],
  projectId: r[1],
  teamId: r[2],
  parentId: r[3],
  title: r[4],
  description: r[5],
  status: r[6],
  priority: PRIORITIES[(r[7] as number) - 1],
  dueAt: iso(r[8]),
  remindAt: iso(r[9]),
  assigneeId: r[10],
  assignee: r[10] && r[11] !== null ? { id: r[10], name: r[11] } : null,
  tags: r[18],
  position: r[12],
  recurrence: r[13],
  subtaskCount: r[19],
  completedAt: iso(r[14]),
  createdAt: iso(r[15]),
  updatedAt: iso(r[16]),
  version: r[17],
})

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

const list = (s: string | null, allowed?: string[]) => {
  if (s === null) return undefined
  const items = s.split(',').map((v) => v.trim())
  return items.every((v) => (allowed ? allowed.includes(v) : UUID.test(v))) ? items : null
}

async function listTasks(userId: string, q: URLSearchParams, res: ServerResponse) {
  const limit = Number(q.get('limit') ?? 20)
  const f: ListFilters = { userId, limit }
  const teamId = q.get('teamId')
  const projectId = q.get('projectId')
  const status = list(q.get('status'), STATUSES)
  const priority = list(q.get('priority'), PRIORITIES)
  const tag = list(q.get('tag'))
  const assignee = q.get('assigneeId')
  if (!Number.isInteger(limit) || limit < 1 || limit > 100 || status === null || priority === null || tag === null)
    return send(res, 400, { status: 400 })
  if (
    (teamId && !UUID.test(teamId)) ||
    (projectId && !UUID.test(projectId)) ||
    (assignee && assignee !== 'me' && !UUID.test(assignee))
  ) {
    return send(res, 400, { status: 400 })
  }
  if (projectId) f.projectId = projectId
  if (teamId) f.teamId = teamId
  f.status = status
  f.priorityRanks = priority?.map((p) => PRIORITIES.indexOf(p) + 1)
  f.tag = tag
  if (assignee) f.assigneeId = assignee === 'me' ? userId : assignee
  if (q.get('overdue') === 'true') f.overdueBefore = new Date().toISOString()
  const { text, params } = listTasksSql(f)
  const rows = await db.query(text, params)
  // as the app: only an empty page checks that the team or project named is one the caller sees
  if (!rows.length) {
    if (projectId && !(await db.query(PROJECT_VISIBLE, [projectId, userId])).length)
      return send(res, 404, { status: 404 })
    if (teamId && !(await db.query(TEAM_VISIBLE, [teamId, userId])).length) return send(res, 404, { status: 404 })
  }
  const more = rows.length > limit
  const items = (more ? rows.slice(0, limit) : rows).map(toTask)
  const last = items.at(-1)
  const nextCursor =
    more && last ? Buffer.from(JSON.stringify(['-createdAt', last.createdAt, last.id])).toString('base64url') : null
  send(res, 200, { items, nextCursor })
}

async function getTask(userId: string, id: string, req: IncomingMessage, res: ServerResponse) {
  if (!UUID.test(id)) return send(res, 400, { status: 400 })
  const [row] = await db.query(GET_TASK, [id, userId])
  if (!row) return send(res, 404, { status: 404 })
  const etag = `"${row[17]}"`
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag })
    return res.end()
  }
  send(res, 200, toTask(row), { etag })
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://reference')
    if (url.pathname === '/health') return send(res, 200, { status: 'ok' })
    if (req.method !== 'GET' || !url.pathname.startsWith('/api/v1/tasks')) return send(res, 404, { status: 404 })
    const userId = await authenticate(req)
    if (!userId) return send(res, 401, { status: 401 }, { 'www-authenticate': 'Bearer' })
    if (url.pathname === '/api/v1/tasks') return await listTasks(userId, url.searchParams, res)
    const id = /^\/api\/v1\/tasks\/([^/]+)$/.exec(url.pathname)?.[1]
    if (id) return await getTask(userId, id, req, res)
    send(res, 404, { status: 404 })
  } catch (err) {
    process.stderr.write(`reference: ${(err as Error).stack}\n`)
    if (!res.headersSent) send(res, 500, { status: 500 })
  }
})

server.keepAliveTimeout = 72_000
server.listen(Number(process.env.PORT ?? 3100), process.env.HOST ?? '127.0.0.1')
const stop = () => server.close(() => void db.close().then(() => process.exit(0)))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
