import fc from 'fast-check'
import { type Document, deref, type Schema } from '../test/openapi-doc.ts'

/** The ids a value may name: the caller's own (to get past lookups) and another user's. */
export interface IdPools {
  own: string[]
  other: string[]
}

const UUIDS = ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff']
// strings the database or the text handling may choke on
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\udc00y',
  '\ud83d\ude00',
  '\u202e\u0301',
  '%00',
  '%',
  '\\',
  "'; select 1; --",
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '{"$gt":""}',
  'null',
  'NaN',
  '-1',
  '1e308',
  '0000-01-01T00:00:00Z',
  '0000-12-31T23:59:59.999Z',
  '10000-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '2026-12-07T10:00:00+24:00',
  '2026-12-07',
  'FREQ=DAILY;INTERVAL=0',
  'FREQ=SECONDLY;INTERVAL=1',
  'FREQ=DAILY;INTERVAL=99999999999999999999',
  'me',
  '*',
]
const NASTY_NUMBERS = [0, -1, -0, 0.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), 1e308, -1e308, 5e-324, 1e23]

/** A long string: `n` times `unit` (an astral unit counts twice towards a maxLength in UTF-16). */
const repeat = (unit: string, n: number) => unit.repeat(Math.max(0, n))

/** A value of the wrong JSON type for the schema, or a boundary just outside it. */
export function hostile(doc: Document, raw: Schema, ids: IdPools): fc.Arbitrary<unknown> {
  const s = deref(doc, raw)
  const options: fc.Arbitrary<unknown>[] = [
    fc.constantFrom<unknown>(null, true, false, 0, 1, '', 'x', [], {}, [null], { a: 1 }),
    fc.constantFrom(...NASTY_STRINGS),
    fc.constantFrom(...NASTY_NUMBERS),
    fc.constantFrom(...ids.other, ...ids.own, ...UUIDS),
    fc.string({ unit: 'binary', maxLength: 40 }),
  ]
  const max = s.maxLength ?? 200
  options.push(
    fc.constantFrom(
      repeat('a', max + 1),
      repeat('a', max),
      repeat('\ud83d\ude00', Math.ceil(max / 2) + 1),
      repeat('é', max + 1),
    ),
  )
  if (s.minimum !== undefined || s.maximum !== undefined) {
    options.push(
      fc.constantFrom(
        ...[s.minimum, s.maximum, s.exclusiveMinimum, s.exclusiveMaximum]
          .filter((v): v is number => typeof v === 'number')
          .flatMap((v) => [v - 1, v + 1, v + 0.5, String(v)]),
      ),
    )
  }
  if (s.maxItems !== undefined) options.push(fc.constant(Array.from({ length: s.maxItems + 1 }, () => 'x')))
  options.push(fc.constant(deeplyNested(500)))
  return fc.oneof(...options)
}

/** `[[[ … ]]]` `depth` deep: for parsers and validators that recurse. */
const deeplyNested = (depth: number): unknown => {
  let v: unknown = 'x'
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v }
  return v
}

function dateTime(): fc.Arbitrary<string> {
  return fc
    .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString())
}

function patterned(pattern: string): fc.Arbitrary<string> | undefined {
  try {
    return fc.stringMatching(new RegExp(pattern))
  } catch {
    return undefined
  }
}

/**
 * A value the schema accepts (as far as it says: enums, formats, bounds, required properties),
 * with `mutate` the chance that any one place gets a hostile value instead. Ids come from the
 * pools, so a well-formed request reaches past its lookups.
 */
export function schemaValue(
  doc: Document,
  raw: Schema,
  ids: IdPools,
  mutate: number,
  depth = 0,
): fc.Arbitrary<unknown> {
  const s = deref(doc, raw)
  const plain = validValue(doc, s, ids, mutate, depth)
  if (mutate <= 0) return plain
  const weight = Math.round(mutate * 100)
  return fc.oneof({ arbitrary: plain, weight: 100 - weight }, { arbitrary: hostile(doc, s, ids), weight })
}

function validValue(doc: Document, s: Schema, ids: IdPools, mutate: number, depth: number): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null)
  if (s.const !== undefined) return fc.constant(s.const)
  if (s.enum) return fc.constantFrom(...s.enum)
  const alternatives = [...(s.oneOf ?? []), ...(s.anyOf ?? [])]
  if (alternatives.length) return fc.oneof(...alternatives.map((a) => schemaValue(doc, a, ids, mutate, depth + 1)))
  if (s.allOf?.length) return schemaValue(doc, s.allOf[0]!, ids, mutate, depth + 1)
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type
  switch (type ?? (s.properties ? 'object' : undefined)) {
    case 'string': {
      if (s.format === 'uuid')
        return fc.oneof(fc.constantFrom(...ids.own, ...ids.other, UUIDS[0]!), fc.uuid({ version: 7 }))
      if (s.format === 'date-time') return dateTime()
      if (s.format === 'email') return fc.emailAddress().filter((e) => e.length <= (s.maxLength ?? 254))
      if (s.format === 'uri') return fc.constantFrom('https://example.com/hook', 'http://127.0.0.1/x')
      if (s.format === 'binary') return fc.string({ maxLength: 100 })
      const matching = s.pattern && s.pattern.length < 200 ? patterned(s.pattern) : undefined
      if (matching) return matching.filter((v) => v.length <= (s.maxLength ?? Number.POSITIVE_INFINITY))
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 40), unit: 'grapheme' })
    }
    case 'integer':
      return fc.integer({
        min: Math.max(s.minimum ?? -1000, Number.MIN_SAFE_INTEGER),
        max: Math.min(s.maximum ?? 1000, Number.MAX_SAFE_INTEGER),
      })
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true })
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array': {
      const item = s.items ? schemaValue(doc, s.items, ids, mutate, depth + 1) : fc.anything()
      return fc.array(item, { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) })
    }
    case 'object': {
      const props = Object.entries(s.properties ?? {})
      const required = new Set(s.required ?? [])
      const record = fc.record(
        Object.fromEntries(props.map(([k, v]) => [k, schemaValue(doc, v, ids, mutate, depth + 1)])),
        { requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)) },
      )
      if (mutate <= 0) return record
      // now and then a field the schema does not have (mass assignment: role, ownerId…)
      return fc
        .tuple(record, fc.option(fc.constantFrom('role', 'ownerId', 'createdAt', 'id', '__proto__')))
        .map(([value, extra]) => (extra ? { ...(value as object), [extra]: 'admin' } : value))
    }
    default:
      return fc.anything({ maxDepth: 2 })
  }
}
