import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { requestIdOf } from '../lib/ids.ts'
import { OperatorError } from '../lib/operator-error.ts'
import { PROBLEMS, problemType } from './problem.ts'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

export interface EarlyListener {
  server: Server
  /** the address to print, e.g. http://127.0.0.1:3000 */
  url: string
  /** Fastify's `serverFactory`: the app is built on this server, which is already listening */
  serverFactory(handler: Handler): Server
  /** The app is ready: it answers from now on. */
  serve(): void
  /** Stops accepting (in-flight requests finish); resolves once every connection is closed. */
  close(): Promise<void>
}

function listenError(err: NodeJS.ErrnoException, port: number, host: string): Error {
  if (err.code === 'EADDRINUSE') {
    return new OperatorError(
      `port ${port} on ${host} is in use by another process: stop it, or set PORT to a free port`,
    )
  }
  if (err.code === 'EACCES') return new OperatorError(`port ${port} on ${host} needs privileges: set PORT above 1023`)
  if (err.code === 'EADDRNOTAVAIL') return new OperatorError(`HOST ${host} is not an address of this machine`)
  return err
}

const problem = (req: IncomingMessage, res: ServerResponse, detail: string) => {
  const requestId = requestIdOf(req.headers['x-request-id'])
  res.writeHead(503, {
    'content-type': 'application/problem+json',
    'retry-after': '1',
    'x-request-id': requestId,
    connection: 'close',
  })
  const { status, title } = PROBLEMS['not-ready']
  res.end(JSON.stringify({ type: problemType('not-ready'), title, status, detail, requestId }))
}

/**
 * Listens before the app is built: a busy port is an operator's mistake found in a second, before
 * the database is opened or migrated, and /health answers (the process is alive) while the
 * database, the migrations check, the job queue and the routes get ready. Meanwhile every other
 * request gets 503 with Retry-After: 1 (nothing done), which a load balancer passes to another
 * instance (nginx: proxy_next_upstream http_503): holding them instead kept clients of a cluster
 * waiting for the whole start of an instance that was only restarting.
 */
export async function listenEarly(opts: { port: number; host: string }): Promise<EarlyListener> {
  let app: Handler | undefined
  let handler: Handler | undefined
  const server = createServer((req, res) => {
    if (handler) return handler(req, res)
    const path = req.url?.split('?')[0]
    if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"status":"ok"}')
    } else problem(req, res, 'starting')
  })
  // the timeouts buildApp gives Fastify's own server (app.ts)
  server.requestTimeout = 30_000
  server.keepAliveTimeout = 72_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(listenError(err, opts.port, opts.host)))
    server.listen({ port: opts.port, host: opts.host, exclusive: true }, () => resolve())
  })
  const { address, port } = server.address() as { address: string; port: number }
  const host = address === '::1' ? 'localhost' : address.includes(':') ? `[${address}]` : address
  let closed: Promise<void> | undefined
  return {
    server,
    url: `http://${host}:${port}`,
    serverFactory(fastifyHandler) {
      app = fastifyHandler
      return server
    },
    serve() {
      handler = app
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      })
      return closed
    },
  }
}
