import { invalidField } from './problem.ts'

type Key = string | number | null

/** An opaque keyset cursor: the sort key values of the last item of a page. */
export const encodeCursor = (values: Key[]): string => Buffer.from(JSON.stringify(values)).toString('base64url')

/** Decodes a cursor made by encodeCursor with `length` values, or answers 400 naming `query.cursor`. */
export function decodeCursor(cursor: string, length: number): Key[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (
      Array.isArray(values) &&
      values.length === length &&
      values.every((v) => v === null || typeof v === 'string' || typeof v === 'number')
    ) {
      return values
    }
  } catch {
    // falls through to the 400
  }
  throw invalidField('query.cursor', 'not a cursor this list returned')
}

/** Splits a `limit + 1` fetch into a page and the cursor of its last item. */
export function page<T>(rows: T[], limit: number, key: (row: T) => Key[]): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null }
  const items = rows.slice(0, limit)
  return { items, nextCursor: encodeCursor(key(items[items.length - 1]!)) }
}
