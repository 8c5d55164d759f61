import { randomUUID } from 'node:crypto'
import type { BenchUser } from './fixtures.ts'
import { SEARCH_TERMS } from './fixtures.ts'
import { rng } from './rng.ts'

/** One request to send, and what to learn from its answer. */
export interface Req {
  method: 'GET' | 'POST' | 'PATCH'
  path: string
  headers: Record<string, string>
  body?: string
  after?: (status: number, headers: Record<string, string | string[]>) => void
}

export interface Workload {
  name: string
  /** routes (OpenAPI paths) the workload needs; it is skipped with a note when one is missing */
  needs: string[]
  /** the bare reference can serve it too (list, get and their mix) */
  reference: boolean
  /** statuses that count as success besides 2xx */
  expected: number[]
  next: () => Req
}

/** What the workloads share: the users with their tokens, and the ETags seen so far. */
export interface Session {
  users: (BenchUser & { token: string })[]
  versions: Map<string, number>
  inFlight: Set<string>
}

const STATUS_CYCLE = { todo: 'in_progress', in_progress: 'done', done: 'todo', cancelled: 'todo' } as const

function etagVersion(headers: Record<string, string | string[]>): number | undefined {
  const etag = headers.etag ?? headers.ETag
  // a task's ETag is "<version>-<digest>"; If-Match also takes the bare version
  const m = /^"(\d+)[-"]/.exec(String(etag ?? ''))
  return m ? Number(m[1]) : undefined
}

/** Request makers, each cycling deterministically through users and variants. */
function makers(s: Session) {
  let n = 0
  const counter = () => n++
  const user = (i: number) => s.users[i % s.users.length]!
  const auth = (u: { token: string }) => ({ authorization: `Bearer ${u.token}` })
  const json = (u: { token: string }) => ({ ...auth(u), 'content-type': 'application/json' })
  const statusOf = new Map<string, keyof typeof STATUS_CYCLE>()

  const get = (): Req => {
    const i = counter()
    const u = user(i)
    const id = u.taskIds[Math.floor(i / s.users.length) % u.taskIds.length]!
    const known = s.versions.get(id)
    // about one read in ten revalidates a copy it already has
    const revalidate = known !== undefined && i % 10 === 3
    return {
      method: 'GET',
      path: `/api/v1/tasks/${id}`,
      headers: revalidate ? { ...auth(u), 'if-none-match': `"${known}"` } : auth(u),
      after: (status, headers) => {
        if (status === 200) s.versions.set(id, etagVersion(headers) ?? 0)
      },
    }
  }

  const list = (): Req => {
    const i = counter()
    const u = user(i)
    const base = `/api/v1/tasks?teamId=${u.teamId}&limit=20`
    const k = Math.floor(i / s.users.length)
    const variants = [
      base,
      `${base}&status=todo,in_progress`,
      `${base}&assigneeId=me`,
      `${base}&priority=high,urgent`,
      u.tagIds.length ? `${base}&tag=${u.tagIds[k % u.tagIds.length]}` : base,
      `${base}&overdue=true`,
      `/api/v1/tasks?projectId=${u.projectIds[k % u.projectIds.length]}&limit=20`,
    ]
    return { method: 'GET', path: variants[i % variants.length]!, headers: auth(u) }
  }

  const search = (): Req => {
    const i = counter()
    const u = user(i)
    const q = encodeURIComponent(SEARCH_TERMS[i % SEARCH_TERMS.length]!)
    return { method: 'GET', path: `/api/v1/tasks?teamId=${u.teamId}&q=${q}&limit=20`, headers: auth(u) }
  }

  const dashboard = (): Req => {
    const u = user(counter())
    return { method: 'GET', path: `/api/v1/dashboard/metrics?teamId=${u.teamId}`, headers: auth(u) }
  }

  const create = (): Req => {
    const i = counter()
    const u = user(i)
    const body: Record<string, unknown> = {
      projectId: u.projectIds[i % u.projectIds.length],
      title: `Bench task ${i}`,
      priority: (['low', 'medium', 'high', 'urgent'] as const)[i % 4],
      dueAt: new Date(Date.now() + ((i % 30) + 1) * 86_400_000).toISOString(),
    }
    if (u.tagIds.length) body.tagIds = [u.tagIds[i % u.tagIds.length]]
    return {
      method: 'POST',
      path: '/api/v1/tasks',
      headers: { ...json(u), 'idempotency-key': randomUUID() },
      body: JSON.stringify(body),
    }
  }

  const comment = (): Req => {
    const i = counter()
    const u = user(i)
    const id = u.taskIds[i % u.taskIds.length]!
    return {
      method: 'POST',
      path: `/api/v1/tasks/${id}/comments`,
      headers: { ...json(u), 'idempotency-key': randomUUID() },
      body: JSON.stringify({ body: `Bench comment ${i}: looks good, shipping it.` }),
    }
  }

  /** PATCH the status of one of the user's own tasks with the ETag of a prior GET (a GET first when none is known). */
  const update = (): Req => {
    const i = counter()
    const u = user(i)
    const free = u.ownTaskIds.filter((id) => !s.inFlight.has(id))
    if (!free.length) return get()
    const id = free[i % free.length]!
    s.inFlight.add(id)
    const version = s.versions.get(id)
    const done = () => s.inFlight.delete(id)
    if (version === undefined) {
      return {
        method: 'GET',
        path: `/api/v1/tasks/${id}`,
        headers: auth(u),
        after: (status, headers) => {
          done()
          if (status === 200) s.versions.set(id, etagVersion(headers) ?? 0)
        },
      }
    }
    const from = statusOf.get(id) ?? 'todo'
    const to = STATUS_CYCLE[from]
    return {
      method: 'PATCH',
      path: `/api/v1/tasks/${id}/status`,
      headers: { ...json(u), 'if-match': `"${version}"` },
      body: JSON.stringify({ status: to }),
      after: (status, headers) => {
        done()
        if (status === 200) {
          statusOf.set(id, to)
          s.versions.set(id, etagVersion(headers) ?? version + 1)
        } else s.versions.delete(id)
      },
    }
  }
  return { get, list, search, dashboard, create, comment, update }
}

/** A deterministic shuffled sequence of request kinds in the given proportions (per 100). */
function mixOf(weights: Record<string, number>, pick: Record<string, () => Req>): () => Req {
  const slots: string[] = []
  for (const [kind, w] of Object.entries(weights)) for (let i = 0; i < w; i++) slots.push(kind)
  const r = rng(7)
  for (let i = slots.length - 1; i > 0; i--) {
    const j = r.int(0, i)
    ;[slots[i], slots[j]] = [slots[j]!, slots[i]!]
  }
  let i = 0
  return () => pick[slots[i++ % slots.length]!]!()
}

const TASKS = '/api/v1/tasks'
const TASK = '/api/v1/tasks/{id}'
const DASHBOARD = '/api/v1/dashboard/metrics'
const COMMENTS = '/api/v1/tasks/{id}/comments'

/** Every workload, for a target that is the app or the bare reference. */
export function workloads(s: Session, hasDashboard: boolean): Workload[] {
  const m = makers(s)
  const mixWeights = {
    get: 45,
    list: 20,
    search: 5,
    update: 12,
    create: 8,
    comment: 6,
    dashboard: hasDashboard ? 4 : 0,
  }
  if (!hasDashboard) mixWeights.get += 4
  return [
    { name: 'list', needs: [TASKS], reference: true, expected: [], next: m.list },
    { name: 'get', needs: [TASK], reference: true, expected: [304], next: m.get },
    { name: 'search', needs: [TASKS], reference: false, expected: [], next: m.search },
    { name: 'dashboard', needs: [DASHBOARD], reference: false, expected: [], next: m.dashboard },
    { name: 'create', needs: [TASKS], reference: false, expected: [], next: m.create },
    { name: 'update', needs: [TASK, '/api/v1/tasks/{id}/status'], reference: false, expected: [], next: m.update },
    {
      name: 'mix',
      needs: [TASKS, TASK, COMMENTS],
      reference: false,
      expected: [304],
      next: mixOf(mixWeights, m),
    },
  ]
}

/**
 * The reference's side of `mix`: it serves only list and get, so it runs them in the mix's
 * proportions (45 : 20); the ratio then prices the app's writes too, which is why its target is lower.
 */
export function referenceMix(s: Session): Workload {
  const m = makers(s)
  return { name: 'mix', needs: [], reference: true, expected: [304], next: mixOf({ get: 45, list: 20 }, m) }
}
