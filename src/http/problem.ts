/** One entry of a validation problem: where (`body.title`) and what. */
export interface FieldError {
  path: string
  message: string
}

/**
 * The problem catalog: every kind of error the API answers. The kind is stable and becomes the
 * problem `type` (`urn:tasklane:problem:<kind>`); its status and title are fixed here, and `when`
 * says what it means to a client (docs/problems.md is generated from it: npm run docs:problems).
 */
export const PROBLEMS = {
  'bad-request': {
    status: 400,
    title: 'Bad Request',
    when: 'The request cannot be used as sent: a malformed body, URL or cursor, or a field naming something that does not exist (`errors` names it)',
  },
  validation: {
    status: 400,
    title: 'Bad Request',
    when: 'A field is missing, of the wrong type or out of bounds, or a query parameter is unknown: `errors` lists each `{ path, message }`',
  },
  unauthorized: {
    status: 401,
    title: 'Unauthorized',
    when: 'No credentials, or credentials that are wrong, expired or revoked (with `WWW-Authenticate: Bearer`)',
  },
  forbidden: {
    status: 403,
    title: 'Forbidden',
    when: 'The caller sees the resource but may not do this: too low a role in the team, a token without the scope, not an admin',
  },
  'email-not-verified': {
    status: 403,
    title: 'Forbidden',
    when: 'Sign-in refused until the address is verified (EMAIL_VERIFICATION=required); a new link was sent',
  },
  'not-found': {
    status: 404,
    title: 'Not Found',
    when: 'No such resource, or one the caller may not see (never told apart); `resource` names its kind (`task`, `project`, `route` …)',
  },
  'method-not-allowed': { status: 405, title: 'Method Not Allowed', when: 'The route does not take this method' },
  'not-acceptable': { status: 406, title: 'Not Acceptable', when: 'No representation matches the Accept header' },
  'request-timeout': { status: 408, title: 'Request Timeout', when: 'The request was not received in time' },
  conflict: {
    status: 409,
    title: 'Conflict',
    when: 'The change contradicts the current state: a duplicate, a limit reached, something deleted meanwhile',
  },
  'idempotency-in-progress': {
    status: 409,
    title: 'Conflict',
    when: 'A request with this Idempotency-Key is still being answered: retry later',
  },
  'length-required': { status: 411, title: 'Length Required', when: 'The body has no declared length' },
  'precondition-failed': {
    status: 412,
    title: 'Precondition Failed',
    when: 'If-Match named a version the resource no longer has: read it again',
  },
  'payload-too-large': { status: 413, title: 'Payload Too Large', when: 'The body or file is over its limit' },
  'uri-too-long': {
    status: 414,
    title: 'URI Too Long',
    when: 'The URL or a path segment is longer than the API accepts',
  },
  'unsupported-media-type': {
    status: 415,
    title: 'Unsupported Media Type',
    when: 'The body is not in a content type the route takes',
  },
  unprocessable: {
    status: 422,
    title: 'Unprocessable Content',
    when: 'The request is well formed but cannot be carried out as asked',
  },
  'idempotency-key-reused': {
    status: 422,
    title: 'Unprocessable Content',
    when: 'This Idempotency-Key was used before with a different request',
  },
  'rate-limited': {
    status: 429,
    title: 'Too Many Requests',
    when: 'Too many requests (or failed sign-ins) in the window: Retry-After says when to retry',
  },
  'header-fields-too-large': {
    status: 431,
    title: 'Request Header Fields Too Large',
    when: 'The request line and headers are larger than the server accepts',
  },
  'client-error': {
    status: 400,
    title: 'Client Error',
    when: 'Any other refusal of the HTTP layer; `status` is its own 4xx',
  },
  internal: {
    status: 500,
    title: 'Internal Server Error',
    when: 'A fault of the server: no detail is given, the request id finds it in the log',
  },
  unavailable: {
    status: 503,
    title: 'Service Unavailable',
    when: 'The database is unreachable, or the instance is shutting down: retry after Retry-After',
  },
  contention: {
    status: 503,
    title: 'Service Unavailable',
    when: 'The request lost a race with a concurrent one (a deadlock or serialization failure) and wrote nothing: retry',
  },
  'storage-unavailable': {
    status: 503,
    title: 'Service Unavailable',
    when: 'File storage is unreachable; nothing was written: retry after Retry-After',
  },
  'not-ready': {
    status: 503,
    title: 'Service Unavailable',
    when: '/ready: a critical dependency is down (`checks` gives each one’s state), or the app is still starting',
  },
} as const satisfies Record<string, { status: number; title: string; when: string }>

export type ProblemKind = keyof typeof PROBLEMS

export const problemType = (kind: ProblemKind) => `urn:tasklane:problem:${kind}`

/** What a problem carries besides its kind; all optional. */
export interface ProblemFields {
  detail?: string
  errors?: FieldError[]
  headers?: Record<string, string>
  /** Extra members of the body (RFC 9457 §3.2), sent even on a 5xx: name none after a standard member. */
  extensions?: Record<string, unknown>
  /** Only for `client-error`: the HTTP layer's own 4xx status, which the catalog does not name. */
  status?: number
}

/**
 * An error that maps to an RFC 9457 problem. Services throw these; only the error handler turns
 * them into `application/problem+json`. Status and title come from the catalog.
 */
export class Problem extends Error {
  readonly status: number
  readonly title: string
  readonly detail?: string
  readonly errors?: FieldError[]
  readonly headers?: Record<string, string>
  readonly extensions?: Record<string, unknown>

  constructor(
    readonly code: ProblemKind,
    { detail, errors, headers, extensions, status }: ProblemFields = {},
  ) {
    const entry = PROBLEMS[code]
    super(detail ?? entry.title)
    this.name = 'Problem'
    this.status = code === 'client-error' && status ? status : entry.status
    this.title = entry.title
    this.detail = detail
    this.errors = errors
    this.headers = headers
    this.extensions = extensions
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new Problem('bad-request', { detail, errors })
/** A 400 naming the offending field, e.g. `invalidField('body.projectId', 'project not found')`. */
export const invalidField = (path: string, message: string) =>
  badRequest(`Invalid ${path}: ${message}`, [{ path, message }])
/** The 400 of a schema check: each field that failed. */
export const invalid = (errors: FieldError[]) => new Problem('validation', { detail: 'The request is invalid', errors })
export const unauthorized = (detail = 'Missing or invalid credentials') =>
  new Problem('unauthorized', { detail, headers: { 'www-authenticate': 'Bearer' } })
export const forbidden = (detail = 'You are not allowed to do this') => new Problem('forbidden', { detail })
export const notFound = (resource: string, id?: string) =>
  new Problem('not-found', {
    detail: id === undefined ? `${resource} not found` : `${resource} ${id} not found`,
    extensions: { resource },
  })
export const conflict = (detail: string) => new Problem('conflict', { detail })
export const preconditionFailed = (detail = 'The resource was changed since you read it (If-Match did not match)') =>
  new Problem('precondition-failed', { detail })
export const payloadTooLarge = (detail: string) => new Problem('payload-too-large', { detail })
export const unsupportedMediaType = (detail: string) => new Problem('unsupported-media-type', { detail })
export const tooManyRequests = (retryAfterSeconds: number) =>
  new Problem('rate-limited', {
    detail: `Rate limit exceeded, retry in ${retryAfterSeconds} s`,
    headers: { 'retry-after': String(retryAfterSeconds) },
  })
export const serviceUnavailable = (detail: string, retryAfterSeconds = 1) =>
  new Problem('unavailable', { detail, headers: { 'retry-after': String(retryAfterSeconds) } })
/** /ready's 503: a critical dependency is down; `checks` gives each dependency's state. */
export const notReady = (checks: Record<string, string>) => new Problem('not-ready', { extensions: { checks } })
export const keyReused = () =>
  new Problem('idempotency-key-reused', { detail: 'This Idempotency-Key was used with a different request' })
export const keyInProgress = () =>
  new Problem('idempotency-in-progress', {
    detail: 'A request with this Idempotency-Key is still in progress; retry later',
  })
