import { randomUUID } from 'node:crypto'
import { type Account, createTask, type Load, type Outcome, read, runLoad } from '../../test/load.ts'

/** Every create the run made, by title (its rows are found by it), with each attempt's outcome. */
export interface Create {
  title: string
  /** set on keyed creates: the client retries those with the same key and body */
  key?: string
  account: Account
  attempts: Outcome[]
}

export const isAck = (o: Outcome) => typeof o.status === 'number' && o.status >= 200 && o.status < 300

export interface Traffic extends Load {
  creates: Create[]
  /** Starts a phase: what ends from now on belongs to it (a reset by a kill is the kill's). */
  setPhase(name: string): void
  /** the phase a request ended in ('retry' for the retries after the faults) */
  phaseOf(o: Outcome): string
}

/**
 * `concurrency` clients over the API instances in turn: per four requests two keyed creates, one
 * plain create and one list read. Each create has a title of its own. A client does not retry on
 * the spot: the unacknowledged keyed creates are retried after the faults (see retryKeyed).
 */
export function startTraffic(bases: string[], accounts: Account[], concurrency: number): Traffic {
  const creates: Create[] = []
  const phases: { name: string; from: number }[] = [{ name: 'warm-up', from: 0 }]
  let n = 0
  const load = runLoad(concurrency, async (loop) => {
    const i = n++
    const account = accounts[loop % accounts.length]!
    const base = bases[(loop + i) % bases.length]!
    let outcome: Outcome
    if (i % 4 === 3) {
      outcome = await read(base, account.token, '/api/v1/tasks?limit=20')
    } else {
      const title = `chaos-${randomUUID()}`
      const key = i % 4 === 2 ? undefined : randomUUID()
      const create: Create = { title, key, account, attempts: [] }
      creates.push(create)
      outcome = await createTask(base, account.token, { title, idempotencyKey: key })
      create.attempts.push(outcome)
    }
    return outcome
  })
  return {
    ...load,
    creates,
    setPhase(name) {
      phases.push({ name, from: Date.now() })
    },
    phaseOf: (o) => phases.findLast((p) => p.from <= o.endedAt)!.name,
  }
}

/**
 * The client's side of Idempotency-Key: every keyed create that got no 2xx is sent again, same key
 * and body, until it gets one (a 409 'still in progress' or a 5xx is waited out) or `timeoutMs`.
 * A 4xx other than 409 is final.
 */
export async function retryKeyed(traffic: Traffic, bases: string[], timeoutMs: number): Promise<void> {
  const pending = traffic.creates.filter((c) => c.key && !c.attempts.some(isAck))
  const until = Date.now() + timeoutMs
  let next = 0
  const worker = async () => {
    for (let c = pending[next++]; c; c = pending[next++]) {
      for (let attempt = 0; Date.now() < until; attempt++) {
        const base = bases[attempt % bases.length]!
        const outcome = await createTask(base, c.account.token, { title: c.title, idempotencyKey: c.key })
        c.attempts.push(outcome)
        traffic.outcomes.push(outcome)
        const status = outcome.status
        if (isAck(outcome) || (typeof status === 'number' && status < 500 && status !== 409)) break
        await new Promise((r) => setTimeout(r, 2_000))
      }
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
}
