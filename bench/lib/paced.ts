import { Agent, request } from 'node:http'
import type { Workload } from './workloads.ts'

export interface PacedResult {
  rate: number
  achieved: number
  p50: number
  p99: number
  statuses: Record<string, number>
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0

/**
 * An open-loop run: requests start on a fixed schedule (`rate` per second, spread evenly) whatever
 * the answers, over keep-alive sockets, so latency is measured as a client at that rate sees it.
 * autocannon's rate limit sends each second's quota in a burst, which measures the burst instead.
 */
export async function paced(
  url: string,
  workload: Workload,
  rate: number,
  seconds: number,
  sockets = 64,
): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets })
  const target = new URL(url)
  const latencies: number[] = []
  const statuses: Record<string, number> = {}
  const inFlight = new Set<Promise<void>>()
  const send = () => {
    const r = workload.next()
    const started = performance.now()
    const p = new Promise<void>((resolve) => {
      const req = request(
        { agent, host: target.hostname, port: target.port, method: r.method, path: r.path, headers: r.headers },
        (res) => {
          res.resume()
          res.on('end', () => {
            latencies.push(performance.now() - started)
            statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1
            r.after?.(res.statusCode ?? 0, res.headers as Record<string, string>)
            resolve()
          })
        },
      )
      req.on('error', () => {
        statuses.error = (statuses.error ?? 0) + 1
        resolve()
      })
      req.end(r.body)
    })
    inFlight.add(p)
    void p.then(() => inFlight.delete(p))
  }
  const start = performance.now()
  let sent = 0
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = (performance.now() - start) / 1000
      if (elapsed >= seconds) {
        clearInterval(tick)
        resolve()
        return
      }
      const due = Math.floor(elapsed * rate)
      while (sent < due) {
        send()
        sent++
      }
    }, 1)
  })
  await Promise.all(inFlight)
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return {
    rate,
    achieved: Math.round(latencies.length / seconds),
    p50: Math.round(quantile(latencies, 0.5) * 10) / 10,
    p99: Math.round(quantile(latencies, 0.99) * 10) / 10,
    statuses,
  }
}
