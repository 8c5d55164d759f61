import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { databaseUnavailable, FOREIGN_KEY_VIOLATION, RETRYABLE, serverError } from '../db/errors.ts'
import { StorageUnavailable } from '../infra/storage.ts'
import { conflict, type FieldError, invalid, Problem, type ProblemKind, problemType } from './problem.ts'
import type { AppShell } from './web-app.ts'

const DATABASE_RETRY_AFTER_S = 2

const PART: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' }

// Fastify's own 4xx, by status: the catalog's kind for each (any other is a `client-error`)
const FASTIFY_KINDS: Partial<Record<number, ProblemKind>> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  408: 'request-timeout',
  409: 'conflict',
  411: 'length-required',
  412: 'precondition-failed',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  429: 'rate-limited',
  431: 'header-fields-too-large',
}

function toProblem(err: FastifyError | Problem | Error): Problem {
  if (err instanceof Problem) return err
  if (hasZodFastifySchemaValidationErrors(err)) {
    const part = PART[(err as FastifyError).validationContext ?? 'body'] ?? 'body'
    const errors: FieldError[] = err.validation.map((v) => ({
      path: [part, ...v.instancePath.split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'invalid',
    }))
    return invalid(errors)
  }
  if (err instanceof StorageUnavailable) {
    // a dependency outage, not a fault of this request or of the code: nothing was written
    return new Problem('storage-unavailable', { headers: { 'retry-after': '5' } })
  }
  const failed = serverError(err)
  if (failed && RETRYABLE.has(failed.code)) {
    // the database chose this transaction as a deadlock's victim (or it lost a serialization race):
    // nothing was written, and the same request will most likely succeed a moment later
    return new Problem('contention', { headers: { 'retry-after': '1' } })
  }
  if (databaseUnavailable(err)) {
    // the database is restarting or unreachable: the instance stays up and the pool reconnects, so
    // the same request is likely to succeed shortly (a restart takes a few seconds)
    return new Problem('unavailable', { headers: { 'retry-after': String(DATABASE_RETRY_AFTER_S) } })
  }
  if (failed?.code === FOREIGN_KEY_VIOLATION) {
    // a row the write points at was deleted by a concurrent request: the writes that know which row
    // lock it first and answer 404 or 400; for any other, it is still a conflict, never a fault
    return conflict('Something this request refers to was deleted meanwhile: reload it and try again')
  }
  const status = (err as FastifyError).statusCode
  if (status && status >= 400 && status < 500) {
    // Fastify's own 4xx messages (bad JSON, body too large, wrong content type…) are safe to show
    const headers = (err as FastifyError & { headers?: Record<string, string> }).headers
    return new Problem(FASTIFY_KINDS[status] ?? 'client-error', { detail: err.message, headers, status })
  }
  return new Problem('internal')
}

// the path, within the 2,000 characters the document allows (a longer one is a 414 or a 431 anyway),
// never ending in half a percent-escape
const instanceOf = (req: FastifyRequest) => (req.url.split('?')[0] ?? '/').slice(0, 2000).replace(/%[0-9A-Fa-f]?$/, '')

/** Writes `application/problem+json`. The only place that knows the error wire format. */
export function sendProblem(req: FastifyRequest, reply: FastifyReply, problem: Problem) {
  if (problem.headers) reply.headers(problem.headers)
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .serializer(JSON.stringify)
    .send({
      type: problemType(problem.code),
      title: problem.title,
      status: problem.status,
      ...(problem.status < 500 && problem.detail ? { detail: problem.detail } : {}),
      instance: instanceOf(req),
      requestId: req.id,
      ...(problem.errors ? { errors: problem.errors } : {}),
      ...problem.extensions,
    })
}

// a failed statement's message carries its parameters (secrets, hashes): log only what the server said
const rejection = (err: FastifyError) => serverError(err) ?? { code: err.code, reason: err.message }

// one line per request while the database is away, not a stack each: the innermost reason is enough
const unreachable = (err: Error) => {
  let e: unknown = err
  while ((e as { cause?: unknown }).cause instanceof Error) e = (e as { cause: Error }).cause
  const { code, message } = e as { code?: string; message?: string }
  return { code, reason: message }
}

/** `shell` answers the web app's routes the router does not know (see web-app.ts). */
export function registerErrorHandling(app: FastifyInstance, opts: { shell?: AppShell } = {}) {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const problem = toProblem(err)
    if (problem.code === 'contention') req.log.warn(rejection(err), 'request lost to a concurrent one; asked to retry')
    else if (problem.code === 'storage-unavailable') req.log.warn({ reason: err.message }, 'file storage unavailable')
    else if (databaseUnavailable(err)) req.log.warn(unreachable(err), 'database unavailable; asked to retry')
    else if (problem.status >= 500) req.log.error({ err }, 'request failed')
    else if (!(err instanceof Problem)) req.log.info(rejection(err), 'request rejected')
    return sendProblem(req, reply, problem)
  })
  app.setNotFoundHandler((req, reply) => {
    if (opts.shell?.(req, reply)) return reply
    return routeNotFound(req, reply)
  })
}

/** 404 for a path no route matches (the API plugin answers its own with it: see http/api.ts). */
export const routeNotFound = (req: FastifyRequest, reply: FastifyReply) =>
  sendProblem(
    req,
    reply,
    new Problem('not-found', {
      detail: `Route ${req.method} ${req.url.split('?')[0]} not found`,
      extensions: { resource: 'route' },
    }),
  )
