import { randomUUID } from 'node:crypto'

/**
 * Client-side load for the real-process fault tests and `npm run chaos`: what each request was, when
 * it ran and what it got, so a check afterwards can tell acknowledged writes from lost ones.
 */

/** One request's fate: an HTTP status, or the network error's code when no answer came. */
export interface Outcome {
  kind: 'create' | 'read'
  /** the instance that was asked */
  target: string
  startedAt: number
  endedAt: number
  status: number | string
  /** a create's title, unique to it: how the check finds its rows */
  title?: string
  idempotencyKey?: string
  retryAfter?: string | null
  problemJson?: boolean
  /** the answer carried `Idempotent-Replayed: true` */
  replayed?: boolean
}

export interface Account {
  base: string
  token: string
  userId: string
}

const json = { 'content-type': 'application/json' }

/** Registers a user on the instance at `base` and returns its token (a 503, an instance shedding load, is retried). */
export async function registerAccount(base: string, label = 'load'): Promise<Account> {
  const email = `${label}-${randomUUID()}@example.com`
  let res: Response
  for (let attempt = 1; ; attempt++) {
    res = await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, password: 'a long enough passphrase', name: label }),
    })
    if (res.status !== 503 || attempt === 10) break
    await res.arrayBuffer()
    await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000))
  }
  if (res.status !== 201) throw new Error(`register answered ${res.status}: ${await res.text()}`)
  const body = (await res.json()) as { accessToken: string; user: { id: string } }
  return { base, token: body.accessToken, userId: body.user.id }
}

const errorCode = (err: unknown) => {
  const cause = (err as { cause?: { code?: string } }).cause
  return cause?.code ?? (err as Error).name ?? 'error'
}

/** One task create (keyed or not) with a title of its own; never throws. */
export async function createTask(
  base: string,
  token: string,
  opts: { title?: string; idempotencyKey?: string; timeoutMs?: number } = {},
): Promise<Outcome & { taskId?: string }> {
  const title = opts.title ?? `load-${randomUUID()}`
  const startedAt = Date.now()
  const headers: Record<string, string> = { ...json, authorization: `Bearer ${token}` }
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey
  const request = { kind: 'create' as const, target: base, startedAt, title, idempotencyKey: opts.idempotencyKey }
  try {
    const res = await fetch(`${base}/api/v1/tasks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    })
    const text = await res.text()
    const taskId = res.status === 201 ? (JSON.parse(text) as { id: string }).id : undefined
    return {
      ...request,
      endedAt: Date.now(),
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      problemJson: res.headers.get('content-type')?.startsWith('application/problem+json') ?? false,
      replayed: res.headers.get('idempotent-replayed') === 'true',
      taskId,
    }
  } catch (err) {
    return { ...request, endedAt: Date.now(), status: errorCode(err) }
  }
}

/** One GET; never throws. */
export async function read(base: string, token: string, path: string, timeoutMs = 30_000): Promise<Outcome> {
  const startedAt = Date.now()
  try {
    const res = await fetch(`${base}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    })
    await res.arrayBuffer()
    return {
      kind: 'read',
      target: base,
      startedAt,
      endedAt: Date.now(),
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      problemJson: res.headers.get('content-type')?.startsWith('application/problem+json') ?? false,
    }
  } catch (err) {
    return { kind: 'read', target: base, startedAt, endedAt: Date.now(), status: errorCode(err) }
  }
}

export interface Load {
  outcomes: Outcome[]
  /** Stops starting requests and resolves once those in flight have ended. */
  stop(): Promise<void>
}

/**
 * `concurrency` loops, each sending one request after the other: `step` picks and sends it. A loop
 * that got no answer or a 503 waits a little (as a client honouring Retry-After would, shortened)
 * so a fault does not turn into a busy loop.
 */
export function runLoad(concurrency: number, step: (loop: number) => Promise<Outcome>): Load {
  const outcomes: Outcome[] = []
  let stopped = false
  const loop = async (i: number) => {
    while (!stopped) {
      const outcome = await step(i)
      outcomes.push(outcome)
      if (typeof outcome.status !== 'number' || outcome.status === 503) await new Promise((r) => setTimeout(r, 100))
    }
  }
  const loops = Array.from({ length: concurrency }, (_, i) => loop(i))
  return {
    outcomes,
    stop: async () => {
      stopped = true
      await Promise.all(loops)
    },
  }
}

export interface ReadyProbe {
  /** every answer of /ready, in order (a network error as its code) */
  seen: { at: number; status: number | string }[]
  stop(): void
}

/** Asks `/ready` every `everyMs` and records the answers. */
export function probeReady(base: string, everyMs = 200): ReadyProbe {
  const seen: ReadyProbe['seen'] = []
  let stopped = false
  void (async () => {
    while (!stopped) {
      const at = Date.now()
      try {
        const res = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(5_000) })
        await res.arrayBuffer()
        seen.push({ at, status: res.status })
      } catch (err) {
        seen.push({ at, status: errorCode(err) })
      }
      await new Promise((r) => setTimeout(r, everyMs))
    }
  })()
  return {
    seen,
    stop: () => {
      stopped = true
    },
  }
}
