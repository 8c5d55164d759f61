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
