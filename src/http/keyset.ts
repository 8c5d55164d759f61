import { isStorableText } from '../lib/text.ts'
import { isStorableInstant } from '../lib/time.ts'
import { decodeCursor } from './cursor.ts'
import { invalidField } from './problem.ts'

/**
 * The SQL type a cursor value is compared as (and cast to). A value must fit it: a forged or
 * damaged cursor is then a 400 naming `query.cursor`, never a failed cast in the database.
 * `?` allows null (a nullable sort key).
 */
export type Kind = 'timestamptz' | 'uuid' | 'text' | 'int4' | 'int8' | 'float8' | 'float4'
type KindOrNull = Kind | `${Kind}?`

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const INT4_MAX = 2 ** 31
// a float4 literal PostgreSQL refuses: past its largest value, or so small it would round to zero
const fitsFloat4 = (v: number) => Number.isFinite(Math.fround(v)) && (v === 0 || Math.fround(v) !== 0)

const FITS: Record<Kind, (v: unknown) => boolean> = {
  // exactly as the list wrote it (toISOString): no other spelling, no day that does not exist
  timestamptz: (v) =>
    typeof v === 'string' && v.length === 24 && isStorableInstant(Date.parse(v)) && new Date(v).toISOString() === v,
  uuid: (v) => typeof v === 'string' && UUID.test(v),
  text: (v) => typeof v === 'string' && v.length <= 1000 && isStorableText(v),
  int4: (v) => Number.isInteger(v) && (v as number) >= -INT4_MAX && (v as number) < INT4_MAX,
  int8: (v) => Number.isSafeInteger(v),
  float8: (v) => typeof v === 'number' && Number.isFinite(v),
  float4: (v) => typeof v === 'number' && fitsFloat4(v),
}

const fits = (kind: KindOrNull, v: unknown) =>
  kind.endsWith('?') ? v === null || FITS[kind.slice(0, -1) as Kind](v) : FITS[kind as Kind](v)

type Decoded<K extends readonly KindOrNull[]> = {
  [I in keyof K]: K[I] extends `${string}?`
    ? (K[I] extends `${'int4' | 'int8' | 'float8' | 'float4'}?` ? number : string) | null
    : K[I] extends 'int4' | 'int8' | 'float8' | 'float4'
      ? number
      : string
}

/**
 * Decodes a keyset cursor whose values have the given kinds, or answers 400 naming `query.cursor`.
 * Null when there is no cursor (the first page). Every list decodes its cursor here.
 */
export function decodeAfter<const K extends readonly KindOrNull[]>(
  cursor: string | undefined,
  kinds: K,
): Decoded<K> | null {
  if (cursor === undefined) return null
  const values = decodeCursor(cursor, kinds.length)
  if (!kinds.every((k, i) => fits(k, values[i]))) throw invalidField('query.cursor', 'not a cursor this list returned')
  return values as never
}
