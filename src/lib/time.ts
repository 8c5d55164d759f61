/** ISO 8601 UTC with milliseconds, as every timestamp on the wire. */
export const iso = (d: Date): string => d.toISOString()
export const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null)

/**
 * The instants a timestamp may name: years 0001 to 9999 in UTC. PostgreSQL has no year 0 (and
 * reads a JavaScript year below it as a syntax error), and past 9999 `toISOString` writes a
 * six-digit `+010000-…` year that is no longer RFC 3339: within these bounds every timestamp is
 * stored and written back as it came.
 */
export const MIN_INSTANT = Date.parse('0001-01-01T00:00:00.000Z')
const MAX_INSTANT = Date.parse('9999-12-31T23:59:59.999Z')
export const isStorableInstant = (ms: number): boolean => ms >= MIN_INSTANT && ms <= MAX_INSTANT
