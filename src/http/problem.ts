/** One entry of a validation problem: where (`body.title`) and what. */
export interface FieldError {
  path: string
  message: string
}

/**
 * An error that maps to an RFC 9457 problem. Services throw these; only the error handler
 * turns them into `application/problem+json`. `code` is stable and becomes the problem `type`.
 * `extensions` are extra members of the body (RFC 9457 §3.2), sent even on a 5xx: name none after
 * a standard member.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
    readonly extensions?: Record<string, unknown>,
  ) {
    super(detail ?? title)
    this.name = 'Problem'
  }
}

export const problemType = (code: string) => `urn:tasklane:problem:${code}`

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new Problem(400, 'bad-request', 'Bad Request', detail, errors)
/** A 400 naming the offending field, e.g. `invalidField('body.projectId', 'project not found')`. */
export const invalidField = (path: string, message: string) =>
  badRequest(`Invalid ${path}: ${message}`, [{ path, message }])
export const unauthorized = (detail = 'Missing or invalid credentials') =>
  new Problem(401, 'unauthorized', 'Unauthorized', detail, undefined, { 'www-authenticate': 'Bearer' })
export const forbidden = (detail = 'You are not allowed to do this') =>
  new Problem(403, 'forbidden', 'Forbidden', detail)
export const notFound = (entity: string, id?: string) =>
  new Problem(404, 'not-found', 'Not Found', id === undefined ? `${entity} not found` : `${entity} ${id} not found`)
export const conflict = (detail: string) => new Problem(409, 'conflict', 'Conflict', detail)
export const preconditionFailed = (detail = 'The resource was changed since you read it (If-Match did not match)') =>
  new Problem(412, 'precondition-failed', 'Precondition Failed', detail)
export const payloadTooLarge = (detail: string) => new Problem(413, 'payload-too-large', 'Payload Too Large', detail)
export const unsupportedMediaType = (detail: string) =>
  new Problem(415, 'unsupported-media-type', 'Unsupported Media Type', detail)
export const unprocessable = (detail: string) => new Problem(422, 'unprocessable', 'Unprocessable Content', detail)
export const tooManyRequests = (retryAfterSeconds: number) =>
  new Problem(
    429,
    'rate-limited',
    'Too Many Requests',
    `Rate limit exceeded, retry in ${retryAfterSeconds} s`,
    undefined,
    {
      'retry-after': String(retryAfterSeconds),
    },
  )
export const serviceUnavailable = (detail: string, retryAfterSeconds = 1) =>
  new Problem(503, 'unavailable', 'Service Unavailable', detail, undefined, {
    'retry-after': String(retryAfterSeconds),
  })
/** /ready's 503: a critical dependency is down; `checks` gives each dependency's state. */
export const notReady = (checks: Record<string, string>) =>
  new Problem(503, 'not-ready', 'Service Unavailable', undefined, undefined, undefined, { checks })
