/** SQLSTATE codes the app answers to (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
export const UNIQUE_VIOLATION = '23505'
export const FOREIGN_KEY_VIOLATION = '23503'
/** the transaction lost to a concurrent one (deadlock, serialization): running it again may succeed */
export const RETRYABLE = new Set(['40001', '40P01'])

/** What the server said about a failed statement (`pg` and PGlite errors both carry these). */
export interface ServerError {
  code: string
  constraint?: string
}

/**
 * The PostgreSQL error behind a failed query, thrown as is or wrapped by Drizzle as the `cause` of
 * a DrizzleQueryError; undefined for any other error (a Node `code` like EPIPE has no `severity`).
 */
export function serverError(err: unknown): ServerError | undefined {
  for (let e = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { code, severity, constraint } = e as { code?: unknown; severity?: unknown; constraint?: unknown }
    if (typeof code === 'string' && typeof severity === 'string') {
      return { code, ...(typeof constraint === 'string' ? { constraint } : {}) }
    }
  }
  return undefined
}

/** The fields of a server error that name things (never values): safe to log. */
const NAMING_FIELDS = ['code', 'severity', 'constraint', 'schema', 'table', 'column', 'dataType', 'routine'] as const

export type QueryFailure = Partial<Record<(typeof NAMING_FIELDS)[number] | 'statement' | 'reason', string>>

const isDrizzleQueryError = (e: Record<string, unknown>) => typeof e.query === 'string' && 'params' in e
const isServerError = (e: Record<string, unknown>) => typeof e.code === 'string' && typeof e.severity === 'string'

/** Whether an error is itself a failed query (Drizzle's wrapper or the server's error), not one that wraps it. */
export const isQueryError = (err: unknown) =>
  !!err && typeof err === 'object' && (isDrizzleQueryError(err as never) || isServerError(err as never))

/** `insert into webhooks`, `update tasks`…: what a statement did and to which table, without its text. */
function statementName(query: string): string {
  const flat = query.replace(/\s+/g, ' ')
  const target = /\b(insert into|update|delete from|from)\s+"?([\w.]+)"?/i.exec(flat)
  if (target) return `${target[1]!.toLowerCase()} ${target[2]}`
  return (/^\s*(\w+)/.exec(flat)?.[1] ?? 'statement').toLowerCase()
}

/**
 * A failed query described for a log line, or undefined for an error that is no database error.
 * Drizzle's error message and `params` carry the statement's bound parameters, and the server's
 * `detail` quotes the failing row ("Failing row contains (…)", "Key (token_hash)=(…) already
 * exists"): secrets and hashes. Only names are kept: the statement's verb and table, the SQLSTATE,
 * the constraint, the table and column, and the server's message with any quoted value cut out.
 */
export function describeQueryFailure(err: unknown): QueryFailure | undefined {
  let described: QueryFailure | undefined
  for (let e = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const fields = e as Record<string, unknown>
    if (isServerError(fields)) {
      described ??= {}
      for (const f of NAMING_FIELDS) if (typeof fields[f] === 'string') described[f] = fields[f] as string
      const names = new Set(NAMING_FIELDS.slice(2).map((f) => described![f]))
      // PostgreSQL quotes both names ("users_email_unique") and values (invalid input syntax: "…")
      described.reason = String(fields.message ?? '').replace(/"((?:[^"]|"")*)"/g, (whole, inner: string) =>
        names.has(inner) ? whole : '"[Redacted]"',
      )
      return described
    }
    if (isDrizzleQueryError(fields)) {
      described ??= {}
      described.statement ??= statementName(fields.query as string)
    } else if (described && e instanceof Error) {
      // what failed the query before the server answered (a lost connection): no parameters in it
      described.reason ??= `${typeof fields.code === 'string' ? `${fields.code} ` : ''}${e.message}`
    }
  }
  return described
}

/** One line for a failed query: `insert into webhooks failed: duplicate key value violates …`. */
export const queryFailureMessage = (f: QueryFailure) =>
  `${f.statement ?? 'query'} failed: ${f.reason ?? 'database error'}`

/**
 * The error itself, or for a failed query a new error that describes it without its parameters
 * (for what stores errors verbatim, such as the job queue's record of a failed job).
 */
export function withoutParameters(err: unknown): unknown {
  const described = describeQueryFailure(err)
  if (!described) return err
  return Object.assign(new Error(queryFailureMessage(described)), {
    code: described.code,
    constraint: described.constraint,
  })
}

// the server is shutting down, crashed, or still starting (class 57P), or the session broke (class 08)
const UNAVAILABLE_STATES = /^(08|57P0[123])/
// the socket failed: refused while the server is down, reset or timed out while it goes away
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'])
// what pg and pg-pool throw, with no code, for a connection they lost or could not get in time
const DRIVER_MESSAGES =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable)$/

/**
 * True when a query failed because the database could not be reached (down, restarting, the
 * session cut), as opposed to the statement itself being rejected: nothing more was written than
 * an interrupted transaction commits, which is nothing unless COMMIT had reached the server, and
 * the same request is worth retrying once the database is back.
 */
export function databaseUnavailable(err: unknown): boolean {
  for (let e = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { code, severity, message } = e as { code?: unknown; severity?: unknown; message?: unknown }
    if (typeof code === 'string' && typeof severity === 'string') return UNAVAILABLE_STATES.test(code)
    if (typeof code === 'string' && SOCKET_ERRORS.has(code)) return true
    if (typeof message === 'string' && DRIVER_MESSAGES.test(message)) return true
  }
  return false
}
