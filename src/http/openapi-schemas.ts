import { isDeepStrictEqual } from 'node:util'
import { Cursor } from './schemas.ts'

const INT32 = { min: -2_147_483_648, max: 2_147_483_647 }
// the length a string's format already implies: a UUID is 36 characters, a date 10, an RFC 3339
// date-time 35 at nanosecond precision with an offset (the server writes 24; validation does not cap the fraction)
const FORMAT_MAX_LENGTH: Record<string, number> = { uuid: 36, date: 10, 'date-time': 35 }
// every list answers `{ items, nextCursor }` with at most 100 items (API.md), and its cursor is one
// the client may send back
const PAGE_MAX_ITEMS = 100
const CURSOR_MAX_LENGTH = Cursor.maxLength ?? 500

/**
 * Adds the bounds a schema implies but zod does not write: the `format` of a bounded integer (int32
 * when its bounds fit), the `maxLength` of a string its format bounds (a binary one: the upload
 * limit), and the size of a list page.
 * An integer or string bounded by nothing stays unbounded, so the check still points at it.
 */
export function addImpliedBounds(node: unknown, maxUploadBytes: number) {
  if (!node || typeof node !== 'object') return
  if (Array.isArray(node)) {
    for (const item of node) addImpliedBounds(item, maxUploadBytes)
    return
  }
  const schema = node as Record<string, unknown>
  const types = Array.isArray(schema.type) ? schema.type : [schema.type]
  if (types.includes('integer') && schema.format === undefined) {
    const min = schema.minimum ?? schema.exclusiveMinimum
    const max = schema.maximum ?? schema.exclusiveMaximum
    if (typeof min === 'number' && typeof max === 'number') {
      schema.format = min >= INT32.min && max <= INT32.max ? 'int32' : 'int64'
    }
  }
  if (types.includes('string') && schema.maxLength === undefined && typeof schema.format === 'string') {
    const max = schema.format === 'binary' ? maxUploadBytes : FORMAT_MAX_LENGTH[schema.format]
    if (max) schema.maxLength = max
  }
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined
  if (types.includes('object') && properties?.items?.type === 'array' && properties.nextCursor) {
    properties.items.maxItems ??= PAGE_MAX_ITEMS
    properties.nextCursor.maxLength ??= CURSOR_MAX_LENGTH
  }
  for (const value of Object.values(schema)) addImpliedBounds(value, maxUploadBytes)
}

// the zod transform emits an `…Input` twin of every registered schema, and a shared header may serve
// no operation yet: keep only the components something references
export function dropUnusedComponents(doc: Record<string, unknown>, kind: 'schemas' | 'headers') {
  const components = doc.components as Record<string, Record<string, unknown> | undefined> | undefined
  const defined = components?.[kind]
  if (!defined) return
  for (;;) {
    const text = JSON.stringify({ ...doc, components: { ...components, [kind]: undefined } }) + JSON.stringify(defined)
    const unused = Object.keys(defined).filter((name) => !text.includes(`"#/components/${kind}/${name}"`))
    if (!unused.length) return
    for (const name of unused) delete defined[name]
  }
}

/**
 * fastify-type-provider-zod names a registered schema `X` where a response uses it and `XInput`
 * where a request does, since the two can differ (a transform, a default). Where they do not (an
 * enum, a shape with no transform) one component `X` serves both, so a client has one type per name.
 */
export function mergeIdenticalTwins(doc: Record<string, unknown>) {
  const schemas = (doc.components as { schemas?: Record<string, unknown> } | undefined)?.schemas
  if (!schemas) return
  // a twin that refers to another twin matches only once that one is merged: repeat until none is left
  for (;;) {
    const merged = new Map<string, string>()
    for (const name of Object.keys(schemas)) {
      const output = name.endsWith('Input') ? name.slice(0, -'Input'.length) : undefined
      if (output && schemas[output] !== undefined && isDeepStrictEqual(schemas[name], schemas[output])) {
        merged.set(`#/components/schemas/${name}`, `#/components/schemas/${output}`)
        delete schemas[name]
      }
    }
    if (!merged.size) return
    replaceRefs(doc, merged)
  }
}

function replaceRefs(node: unknown, refs: Map<string, string>) {
  if (!node || typeof node !== 'object') return
  for (const value of Array.isArray(node) ? node : Object.values(node)) replaceRefs(value, refs)
  const ref = (node as { $ref?: unknown }).$ref
  if (typeof ref === 'string' && refs.has(ref)) (node as { $ref: string }).$ref = refs.get(ref)!
}
