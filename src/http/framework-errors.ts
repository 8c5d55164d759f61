import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { uuidv7 } from 'uuidv7'
import { sendProblem } from './error-handler.ts'
import { PROBLEMS, Problem, type ProblemKind, problemType, serviceUnavailable } from './problem.ts'

/**
 * Answers for what fails before the app's handlers run, as problem+json with the request id like
 * every other error: Fastify's router refusing a URL (`frameworkErrors`), and Node's HTTP parser
 * refusing the bytes before there is a request at all (`clientErrorHandler`).
 */

const ROUTER: Record<string, () => Problem> = {
  // decodeURIComponent failed: a `%` not followed by two hex digits, or bytes that are not UTF-8
  FST_ERR_BAD_URL: () =>
    new Problem('bad-request', { detail: 'The URL is not valid: a percent-encoded part is not UTF-8' }),
  FST_ERR_MAX_PARAM_LENGTH: () =>
    new Problem('uri-too-long', { detail: 'A path segment is longer than this API accepts (200 characters)' }),
}

/** Fastify's `frameworkErrors`: the router's refusals, before any hook has run. */
export function routerError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const problem = ROUTER[err.code]?.() ?? new Problem('internal')
  if (problem.status >= 500) req.log.error({ err }, 'request failed before routing')
  else req.log.info({ code: err.code }, 'request rejected')
  // onRequest hooks do not run for these: the header is set here
  reply.header('x-request-id', req.id)
  return sendProblem(req, reply, problem)
}

const PARSER: Record<string, { code: ProblemKind; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    code: 'header-fields-too-large',
    detail: 'The request line and headers are larger than this server accepts (16 KB)',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'request-timeout', detail: 'The request was not received in time' },
}
const MALFORMED = { code: 'bad-request', detail: 'The request is not valid HTTP/1.1' } as const

/**
 * Fastify's `clientErrorHandler` (called with the app as `this`): Node's parser refused the request (headers too large, a bad
 * method or header, a request that never finished arriving). There is no request object: the
 * answer is written on the socket, with a request id of its own that the log line also carries,
 * and the connection is closed.
 */
export function parserError(this: FastifyInstance, err: Error & { code?: string }, socket: Socket) {
  // the client is gone: nothing to answer
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const requestId = uuidv7()
  const { code, detail } = PARSER[err.code ?? ''] ?? MALFORMED
  const { status, title } = PROBLEMS[code]
  this.log.info({ reqId: requestId, code: err.code, status }, 'malformed request refused')
  if (socket.writable) {
    const body = JSON.stringify({ type: problemType(code), title, status, detail, requestId })
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy()
}

/**
 * Fastify answers a request that arrives while the app closes (on a kept-alive connection) with a
 * 503 of its own shape (`return503OnClosing`); this answers it as a problem instead, with
 * Retry-After, so that the client retries (through the load balancer, on another instance).
 */
export function refuseWhileClosing(app: FastifyInstance) {
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async () => {
    if (closing) throw serviceUnavailable('The server is shutting down: retry the request', 1)
  })
}
