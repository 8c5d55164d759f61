import type { Operation } from '../test/openapi-doc.ts'
import type { FuzzRequest, FuzzResponse } from './http.ts'
import type { Account } from './world.ts'

export type Kind = '5xx' | 'hang' | 'no answer' | 'not a problem' | 'leak' | 'undocumented status'

export interface Finding {
  kind: Kind
  detail: string
}

export const HANG_MS = 5_000
// query parameters that name a container: another team's answers 404, never an empty 200
const CONTAINERS = new Set(['projectId', 'teamId', 'taskId', 'parentId'])

/** Every string of a JSON value under a key that names an id (`id`, `projectId`, `tagIds`…) or an email. */
function namedValues(value: unknown, out: { key: string; value: string }[] = [], key = ''): typeof out {
  if (typeof value === 'string') {
    if (/^(id|.*Id|.*Ids|email)$/.test(key)) out.push({ key, value })
  } else if (Array.isArray(value)) {
    for (const v of value) namedValues(v, out, key)
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) namedValues(v, out, k)
  }
  return out
}

/**
 * What is wrong with one answer: a 5xx; no full answer within 5 s; an error that is not
 * problem+json carrying the request id of its X-Request-Id header; a status the operation does
 * not document; or a 2xx that shows, or acts on, an object of the other user.
 */
export function judge(op: Operation, req: FuzzRequest, res: FuzzResponse | 'hang' | Error, other: Account): Finding[] {
  if (res === 'hang') return [{ kind: 'hang', detail: `no answer within ${HANG_MS / 1000} s` }]
  if (res instanceof Error) {
    // the server may answer an oversized body early and close before reading the rest
    const code = (res as { code?: string }).code ?? res.message
    return [{ kind: 'no answer', detail: `connection failed: ${code}` }]
  }
  const findings: Finding[] = []
  if (res.ms > HANG_MS) findings.push({ kind: 'hang', detail: `answered after ${Math.round(res.ms)} ms` })
  const status = res.status
  if (status >= 500) findings.push({ kind: '5xx', detail: `${status}` })
  if (!(String(status) in op.responses)) findings.push({ kind: 'undocumented status', detail: `${status}` })
  if (status >= 400) {
    const type = String(res.headers['content-type'] ?? '')
    const requestId = res.headers['x-request-id']
    let body: { requestId?: unknown; status?: unknown } | undefined
    try {
      body = JSON.parse(res.body.toString('utf8'))
    } catch {
      body = undefined
    }
    if (!type.startsWith('application/problem+json'))
      findings.push({ kind: 'not a problem', detail: `content-type ${type}` })
    else if (!requestId || body?.requestId !== requestId || body?.status !== status)
      findings.push({
        kind: 'not a problem',
        detail: `X-Request-Id ${String(requestId)}, body requestId ${String(body?.requestId)}, status ${String(body?.status)}`,
      })
  }
  if (status >= 200 && status < 300) findings.push(...leaks(req, res, other))
  return findings
}

function leaks(req: FuzzRequest, res: FuzzResponse, other: Account): Finding[] {
  const theirs = new Set(Object.values(other.ids).flat())
  const findings: Finding[] = []
  const [path = '', query = ''] = req.path.split('?')
  const named = path.split('/').find((segment) => theirs.has(segment))
  if (named) findings.push({ kind: 'leak', detail: `${res.status} for another user's ${named} in the path` })
  for (const [name, value] of new URLSearchParams(query)) {
    if (CONTAINERS.has(name) && theirs.has(value))
      findings.push({ kind: 'leak', detail: `${res.status} for another user's ${name} in the query` })
  }
  let body: unknown
  try {
    body = JSON.parse(res.body.toString('utf8'))
  } catch {
    return findings
  }
  for (const { key, value } of namedValues(body)) {
    if (theirs.has(value) || value === other.email)
      findings.push({ kind: 'leak', detail: `the answer shows another user's ${key} ${value}` })
  }
  return findings
}
