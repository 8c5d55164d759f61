import type { Outcome } from '../../test/load.ts'
import { type Create, isAck, type Traffic } from './traffic.ts'

export interface Phase {
  name: string
  /** false for the phase without a fault: nothing to recover from */
  fault: boolean
  /** from the fault's end (database back, process started again) to the first write served */
  recoveryMs?: number
  /** what the recovery time measures, and anything else worth a line */
  note: string
  /** reasons this phase fails the run */
  failures: string[]
}

export interface Verdict {
  lost: Create[]
  doubled: Create[]
  /** keyed creates that never got a 2xx, even retried */
  unresolved: Create[]
  /** plain creates that got no answer but were written (the client cannot know: why keys exist) */
  writtenUnacked: number
}

/** Sorts every create by how many rows carry its title. */
export function verify(creates: Create[], rowsByTitle: Map<string, number>): Verdict {
  const verdict: Verdict = { lost: [], doubled: [], unresolved: [], writtenUnacked: 0 }
  for (const c of creates) {
    const rows = rowsByTitle.get(c.title) ?? 0
    const acked = c.attempts.some(isAck)
    if (rows > 1) verdict.doubled.push(c)
    else if (acked && rows === 0) verdict.lost.push(c)
    if (c.key && !acked) verdict.unresolved.push(c)
    if (!c.key && !acked && rows === 1) verdict.writtenUnacked++
  }
  return verdict
}

const NO_ANSWER_REFUSED = new Set(['ECONNREFUSED'])

function counts(outcomes: Outcome[]) {
  const c = { requests: outcomes.length, ok: 0, s500: 0, s503: 0, other5xx: 0, plain5xx: 0, refused: 0, reset: 0 }
  for (const o of outcomes) {
    if (typeof o.status !== 'number') {
      if (NO_ANSWER_REFUSED.has(o.status)) c.refused++
      else c.reset++
    } else if (o.status < 300) c.ok++
    else if (o.status === 500) c.s500++
    else if (o.status === 503) c.s503++
    else if (o.status >= 500) c.other5xx++
    if (typeof o.status === 'number' && o.status >= 500 && !o.problemJson) c.plain5xx++
  }
  return c
}

const seconds = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`)

/** The run as a markdown table (it reads as plain text in a terminal too), one row per phase. */
export function table(phases: Phase[], traffic: Traffic, verdict: Verdict): string {
  const byPhase = new Map<string, Outcome[]>()
  for (const o of traffic.outcomes) {
    const name = traffic.phaseOf(o)
    const list = byPhase.get(name) ?? []
    list.push(o)
    byPhase.set(name, list)
  }
  // a create belongs to the phase its first attempt ended in
  const per = (list: Create[], name: string) => list.filter((c) => traffic.phaseOf(c.attempts[0]!) === name).length
  const lines = [
    '| phase | requests | 2xx | 500 | 503 | other 5xx | 5xx not problem+json | refused | reset / no answer | recovery | lost | doubled |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const p of phases) {
    const c = counts(byPhase.get(p.name) ?? [])
    lines.push(
      `| ${p.name} | ${c.requests} | ${c.ok} | ${c.s500} | ${c.s503} | ${c.other5xx} | ${c.plain5xx} | ${c.refused} | ${c.reset} | ${p.fault ? seconds(p.recoveryMs) : '–'} | ${per(verdict.lost, p.name)} | ${per(verdict.doubled, p.name)} |`,
    )
  }
  const retries = counts(byPhase.get('retry') ?? [])
  lines.push(
    `| retry of unacknowledged keyed creates | ${retries.requests} | ${retries.ok} | ${retries.s500} | ${retries.s503} | ${retries.other5xx} | ${retries.plain5xx} | ${retries.refused} | ${retries.reset} | | | |`,
  )
  // what "no answer" was, per phase: refused while an instance was down is expected, a reset less so
  for (const [name, outcomes] of byPhase) {
    const codes = new Map<string, number>()
    for (const o of outcomes) {
      if (typeof o.status === 'string' && !NO_ANSWER_REFUSED.has(o.status)) {
        codes.set(o.status, (codes.get(o.status) ?? 0) + 1)
      }
    }
    if (codes.size) lines.push(`\nno answer in ${name}: ${[...codes].map(([c, n]) => `${c} ×${n}`).join(', ')}`)
  }
  return lines.join('\n')
}

export const describePhase = (p: Phase) =>
  `- ${p.name}: ${p.note}${p.failures.length ? ` — FAILED: ${p.failures.join('; ')}` : ''}`

export { seconds }
