import autocannon from 'autocannon'
import type { Req, Workload } from './workloads.ts'

export interface RunOptions {
  connections: number
  duration: number
  /** requests per second over all connections (a fixed-rate run); unset = as fast as the server answers */
  overallRate?: number
  /** called every 250 ms during the run: returns the server's RSS in MB */
  rss?: () => number
}

export interface Measurement {
  reqPerSec: number
  p50: number
  p99: number
  p999: number
  requests: number
  /** socket errors and timeouts */
  errors: number
  /** answers that are neither 2xx nor expected (304 for conditional GETs) */
  unexpected: number
  statuses: Record<string, number>
  rssMaxMb: number
  rssAvgMb: number
}

/** Drives one workload against one server over keep-alive connections with autocannon. */
export async function drive(url: string, workload: Workload, opts: RunOptions): Promise<Measurement> {
  const samples: number[] = []
  const timer = opts.rss ? setInterval(() => samples.push(opts.rss!()), 250) : undefined
  const result = await autocannon({
    url,
    connections: opts.connections,
    duration: opts.duration,
    overallRate: opts.overallRate,
    timeout: 10,
    requests: [
      {
        setupRequest: (req, context) => {
          const next: Req = workload.next()
          ;(context as { after?: Req['after'] }).after = next.after
          return { ...req, method: next.method, path: next.path, headers: next.headers, body: next.body }
        },
        onResponse: (status, _body, context, headers) => {
          ;(context as { after?: Req['after'] }).after?.(status, (headers ?? {}) as Record<string, string>)
        },
      },
    ],
  })
  if (timer) clearInterval(timer)
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, v]) => [code, (v as { count: number }).count]),
  )
  const unexpected = Object.entries(statuses)
    .filter(([code]) => !(Number(code) >= 200 && Number(code) < 300) && !workload.expected.includes(Number(code)))
    .reduce((sum, [, n]) => sum + n, 0)
  const latency = result.latency as unknown as Record<string, number>
  return {
    reqPerSec: Math.round(result.requests.total / result.duration),
    p50: latency.p50!,
    p99: latency.p99!,
    p999: latency.p99_9!,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    unexpected,
    statuses,
    rssMaxMb: samples.length ? Math.round(Math.max(...samples)) : 0,
    rssAvgMb: samples.length ? Math.round(samples.reduce((a, b) => a + b, 0) / samples.length) : 0,
  }
}
