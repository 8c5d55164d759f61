import { invalidField } from '../http/problem.ts'
import { decodeCursor } from './cursor.ts'

type Kind = 'time' | 'uuid' | 'text' | 'int'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const valid: Record<Kind, (v: unknown) => boolean> = {
  time: (v) => typeof v === 'string' && v.length <= 40 && !Number.isNaN(Date.parse(v)),
  uuid: (v) => typeof v === 'string' && UUID.test(v),
  text: (v) => typeof v === 'string' && v.length <= 1000,
  int: (v) => typeof v === 'number' && Number.isSafeInteger(v),
}

/**
 * Decodes a keyset cursor and checks each value's kind, so that a forged cursor is a 400 naming
 * `query.cursor` rather than a database error. Null when there is no cursor (the first page).
 */
export function decodeAfter<const K extends readonly Kind[]>(
  cursor: string | undefined,
  kinds: K,
): { [I in keyof K]: K[I] extends 'int' ? number : string } | null {
  if (cursor === undefined) return null
  const values = decodeCursor(cursor, kinds.length)
  if (!kinds.every((k, i) => valid[k](values[i]))) throw invalidField('query.cursor', 'not a cursor this list returned')
  return values as never
}
