/**
 * A reading of the served OpenAPI document by its semantics rather than its names: `$ref`s are
 * resolved, `allOf`/`oneOf`/`anyOf` walked, request bodies found by media type. The input table
 * tests and the fuzzer (fuzz/) both enumerate the API through it, so a renamed component or a
 * new route is covered without a change here.
 */

export type Schema = Record<string, unknown> & {
  $ref?: string
  type?: string | string[]
  format?: string
  enum?: unknown[]
  const?: unknown
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  prefixItems?: Schema[]
  additionalProperties?: boolean | Schema
  allOf?: Schema[]
  oneOf?: Schema[]
  anyOf?: Schema[]
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  minItems?: number
  maxItems?: number
  pattern?: string
  default?: unknown
  nullable?: boolean
}

export interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie'
  name: string
  required: boolean
  schema: Schema
}

export interface Operation {
  method: string
  /** the path template, e.g. `/api/v1/tasks/{id}` */
  path: string
  /** `GET /api/v1/tasks/{id}`: how failures and filters name it */
  key: string
  parameters: Parameter[]
  /** media type → schema of each request body the operation takes */
  bodies: Record<string, Schema>
  bodyRequired: boolean
  /** whether it takes credentials (a security requirement with a scheme) */
  secured: boolean
  /** media types of its 2xx answers */
  produces: string[]
  responses: Record<string, unknown>
}

export interface Document {
  paths: Record<string, Record<string, unknown>>
  components?: Record<string, Record<string, unknown>>
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const

/** Follows `$ref` (local ones, `#/components/...`) until a schema that is not a reference. */
export function deref<T = Schema>(doc: Document, value: unknown): T {
  let current = value as { $ref?: string }
  for (let hops = 0; current && typeof current.$ref === 'string'; hops++) {
    if (hops > 32) throw new Error(`$ref cycle at ${current.$ref}`)
    const path = current.$ref.replace(/^#\//, '').split('/').map(decodePointer)
    current = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], doc) as { $ref?: string }
    if (current === undefined) throw new Error(`unresolved $ref ${String(value && (value as Schema).$ref)}`)
  }
  return current as T
}
const decodePointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~')

/** Every operation of the document, in document order. */
export function operations(doc: Document): Operation[] {
  const out: Operation[] = []
  for (const [path, rawItem] of Object.entries(doc.paths)) {
    const item = deref<Record<string, unknown>>(doc, rawItem)
    const shared = (item.parameters as unknown[] | undefined) ?? []
    for (const method of METHODS) {
      const op = item[method] as Record<string, unknown> | undefined
      if (!op) continue
      const parameters = [...shared, ...((op.parameters as unknown[]) ?? [])].map((p) => {
        const param = deref<Record<string, unknown>>(doc, p)
        return {
          in: param.in as Parameter['in'],
          name: param.name as string,
          required: Boolean(param.required),
          schema: deref(doc, param.schema ?? {}),
        }
      })
      const requestBody = op.requestBody ? deref<Record<string, unknown>>(doc, op.requestBody) : undefined
      const content = (requestBody?.content as Record<string, { schema?: unknown }>) ?? {}
      const responses = (op.responses as Record<string, unknown>) ?? {}
      const produces = Object.entries(responses)
        .filter(([code]) => code.startsWith('2'))
        .flatMap(([, r]) => Object.keys(deref<{ content?: object }>(doc, r).content ?? {}))
      out.push({
        method: method.toUpperCase(),
        path,
        key: `${method.toUpperCase()} ${path}`,
        parameters,
        bodies: Object.fromEntries(Object.entries(content).map(([type, m]) => [type, deref(doc, m.schema ?? {})])),
        bodyRequired: Boolean(requestBody?.required) || Object.keys(content).length > 0,
        secured: ((op.security as Record<string, string[]>[] | undefined) ?? []).some((s) => Object.keys(s).length > 0),
        produces,
        responses,
      })
    }
  }
  return out
}

/** The JSON body schema of an operation, if it takes JSON. */
export const jsonBody = (op: Operation): Schema | undefined =>
  Object.entries(op.bodies).find(([type]) => /^application\/([\w.+-]+\+)?json/.test(type))?.[1]

/** True when a schema admits a value of JSON type `type`. */
function allows(doc: Document, schema: Schema, type: string): boolean {
  const s = deref(doc, schema)
  if (s.allOf?.some((x) => !allows(doc, x, type))) return false
  const alternatives = [...(s.oneOf ?? []), ...(s.anyOf ?? [])]
  if (alternatives.length) return alternatives.some((x) => allows(doc, x, type))
  if (s.type === undefined) return type !== 'null' || s.nullable === true
  const types = Array.isArray(s.type) ? s.type : [s.type]
  return types.includes(type) || (type === 'integer' && types.includes('number'))
}

/** A place a string goes in a JSON body: its path from the body's root, and the schema there. */
export interface StringSlot {
  path: (string | number)[]
  schema: Schema
}

/**
 * Every place in a body schema that takes a string, through objects, arrays and alternatives
 * (to `depth` levels). The paths are what a validation error names after `body.`.
 */
export function stringSlots(doc: Document, schema: Schema, depth = 4, path: (string | number)[] = []): StringSlot[] {
  const s = deref(doc, schema)
  if (depth < 0) return []
  const slots: StringSlot[] = []
  const branches = [...(s.allOf ?? []), ...(s.oneOf ?? []), ...(s.anyOf ?? [])]
  for (const b of branches) slots.push(...stringSlots(doc, b, depth, path))
  if (allows(doc, { ...s, allOf: undefined, oneOf: undefined, anyOf: undefined }, 'string') && s.type !== undefined) {
    slots.push({ path, schema: s })
  }
  for (const [name, prop] of Object.entries(s.properties ?? {}))
    slots.push(...stringSlots(doc, prop, depth - 1, [...path, name]))
  if (s.items) slots.push(...stringSlots(doc, s.items, depth - 1, [...path, 0]))
  // one slot per path: alternatives often repeat a property
  const seen = new Set<string>()
  return slots.filter((slot) => {
    const key = slot.path.join('.')
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** A JSON value with `value` at `path` (objects and arrays built along it). */
export function placeAt(path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value
  const [head, ...rest] = path
  return typeof head === 'number' ? [placeAt(rest, value)] : { [head as string]: placeAt(rest, value) }
}

/** The kind of object a path parameter names, from the collection before it (`/tasks/{id}` → tasks). */
export function parameterCollection(path: string, name: string): string {
  const segments = path.split('/')
  const at = segments.indexOf(`{${name}}`)
  return segments[at - 1] ?? ''
}

/** Fills a path template: `/tasks/{id}` with `{ id: 'x' }`, each value percent-encoded unless raw. */
export function fillPath(path: string, values: Record<string, string>, raw = false): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = values[name] ?? ''
    return raw ? v : encodeURIComponent(v)
  })
}
