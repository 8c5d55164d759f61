import type { Measurement } from './drive.ts'

export interface Row {
  workload: string
  target: 'app' | 'app-uncached' | 'reference'
  round: number
  m: Measurement
}

export interface Summary {
  workload: string
  app?: Measurement
  reference?: Measurement
  /** app req/s ÷ reference req/s (median runs) */
  ratio?: number
  note?: string
}

const median = (ms: Measurement[]): Measurement | undefined => {
  if (!ms.length) return undefined
  return [...ms].sort((a, b) => a.reqPerSec - b.reqPerSec)[Math.floor((ms.length - 1) / 2)]
}

/** Per workload: the median run of each target (by req/s) and their ratio. */
export function summarise(rows: Row[], order: string[], notes: Record<string, string>): Summary[] {
  return order.map((workload) => {
    const app = median(rows.filter((r) => r.workload === workload && r.target === 'app').map((r) => r.m))
    const reference = median(rows.filter((r) => r.workload === workload && r.target === 'reference').map((r) => r.m))
    const ratio = app && reference?.reqPerSec ? app.reqPerSec / reference.reqPerSec : undefined
    return { workload, app, reference, ratio, note: notes[workload] }
  })
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '–' : n.toFixed(digits))

/** A markdown table (it reads as plain text in a terminal too). */
export function table(summaries: Summary[]): string {
  const lines = [
    '| workload | target | req/s | p50 ms | p99 ms | p99.9 ms | errors / unexpected | RSS max MB | app ÷ ref |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const s of summaries) {
    if (!s.app && !s.reference) {
      lines.push(`| ${s.workload} | – | skipped | | | | | | ${s.note ?? ''} |`)
      continue
    }
    for (const [target, m] of [
      ['app', s.app],
      ['reference', s.reference],
    ] as const) {
      if (!m) continue
      const ratio = target === 'app' ? (s.ratio === undefined ? '' : `**${fmt(s.ratio, 2)}**`) : ''
      lines.push(
        `| ${s.workload} | ${target} | ${fmt(m.reqPerSec)} | ${fmt(m.p50)} | ${fmt(m.p99)} | ${fmt(m.p999)} | ${m.errors} / ${m.unexpected} | ${fmt(m.rssMaxMb)} | ${ratio} |`,
      )
    }
  }
  return lines.join('\n')
}

/**
 * The per-request auth caches on (`app`) and off (`app-uncached`, AUTH_CACHE_TTL=0): the median run
 * of each, and what the caches gain in req/s.
 */
export function cacheTable(rows: Row[]): string {
  const lines = [
    '| workload | caches on req/s | p50 ms | p99 ms | caches off req/s | p50 ms | p99 ms | on ÷ off |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const workload of [...new Set(rows.map((r) => r.workload))]) {
    const of = (target: Row['target']) =>
      median(rows.filter((r) => r.workload === workload && r.target === target).map((r) => r.m))
    const on = of('app')
    const off = of('app-uncached')
    if (!on || !off) continue
    lines.push(
      `| ${workload} | ${fmt(on.reqPerSec)} | ${fmt(on.p50)} | ${fmt(on.p99)} | ${fmt(off.reqPerSec)} | ${fmt(off.p50)} | ${fmt(off.p99)} | **${off.reqPerSec ? fmt(on.reqPerSec / off.reqPerSec, 2) : '–'}** |`,
    )
  }
  return lines.join('\n')
}
