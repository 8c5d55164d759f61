import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { PROBLEMS_DOC_FILE, problemsDoc } from '../../scripts/docs-problems.ts'
import { notFound, PROBLEMS, Problem, problemType } from './problem.ts'
import { ProblemDetails } from './schemas.ts'

describe('the problem catalog', () => {
  it('is what docs/problems.md says (npm run docs:problems writes it)', () => {
    expect(readFileSync(PROBLEMS_DOC_FILE, 'utf8')).toBe(problemsDoc())
  })

  it('is what the OpenAPI ProblemDetails schema lists as types', () => {
    const types = Object.keys(PROBLEMS).map((kind) => problemType(kind as keyof typeof PROBLEMS))
    expect(ProblemDetails.shape.type.options).toEqual(types)
  })

  it('builds a problem from its kind and named fields', () => {
    const p = new Problem('contention', { headers: { 'retry-after': '1' } })
    expect(p).toMatchObject({ status: 503, title: 'Service Unavailable', code: 'contention', detail: undefined })
    expect(new Problem('client-error', { status: 416 }).status).toBe(416)
    expect(new Problem('not-found', { status: 416 }).status).toBe(404)
    expect(notFound('task', 'x')).toMatchObject({
      status: 404,
      detail: 'task x not found',
      extensions: { resource: 'task' },
    })
  })
})
