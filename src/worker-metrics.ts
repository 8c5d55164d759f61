import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { tokenMatches } from './http/metrics.ts'

export interface MetricsListener {
  /** the port it listens on (the one chosen when asked for 0) */
  port: number
  close(): Promise<void>
}

const problem = (status: number, title: string, detail: string) =>
  JSON.stringify({
    type: `urn:tasklane:problem:${status === 401 ? 'unauthorized' : 'not-found'}`,
    title,
    status,
    detail,
  })

/**
 * A worker has no API, only this: `GET /metrics` (Prometheus text, behind METRICS_TOKEN when set)
 * and `GET /health`, on HOST:WORKER_METRICS_PORT. Plain node:http: a scrape a few times a minute
 * needs no framework, and the worker loads none.
 */
export async function startMetricsListener(opts: {
  registry: Registry
  host: string
  port: number
  token?: string
  logger: Logger
}): Promise<MetricsListener> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    const send = (status: number, type: string, body: string) =>
      res
        .writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
        .end(req.method === 'HEAD' ? '' : body)
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(404, 'application/problem+json', problem(404, 'Not Found', 'Only GET /metrics and GET /health'))
    }
    if (path === '/health') return send(200, 'application/json', '{"status":"ok"}')
    if (path !== '/metrics') {
      return send(404, 'application/problem+json', problem(404, 'Not Found', 'Only GET /metrics and GET /health'))
    }
    if (opts.token && !tokenMatches(req.headers.authorization, opts.token)) {
      return send(401, 'application/problem+json', problem(401, 'Unauthorized', 'A valid METRICS_TOKEN is required'))
    }
    opts.registry.metrics().then(
      (text) => send(200, opts.registry.contentType, text),
      (err) => {
        opts.logger.error({ err }, 'worker metrics failed')
        send(500, 'text/plain', 'metrics failed')
      },
    )
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  opts.logger.info({ url: `http://${opts.host}:${port}/metrics` }, 'worker metrics listening')
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
