import type { Problem } from './types.ts'

/** A failed API call: the problem+json the server answered, or what went wrong on the way. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    readonly response?: Response,
  ) {
    super(problem?.detail ?? problem?.title ?? (status ? `Request failed (${status})` : 'Network error'))
    this.name = 'ApiError'
  }

  /**
   * `errors[].path` → message, keyed by the form field it concerns: the path without its request part,
   * up to the first dot (`body.title` → `title`, `body.tagIds.0` → `tagIds`).
   */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const e of this.problem?.errors ?? []) {
      const field = e.path.replace(/^(body|query|params|headers)\./, '').split('.')[0] ?? e.path
      out[field] ??= e.message
    }
    return out
  }
}

/** What to tell a person about a failed call, in one sentence. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return 'The server could not be reached. Check your connection and try again.'
    if (err.status === 429) {
      const wait = Number(err.response?.headers.get('retry-after'))
      return wait > 0
        ? `Too many requests: the server asks to wait ${wait} s before the next one. Try again then.`
        : 'Too many requests: the server asked us to slow down. Try again in a moment.'
    }
    if (err.status === 412) return 'This changed elsewhere since you opened it.'
    if (err.status >= 500) return `The server failed (${err.problem?.requestId ?? 'no request id'}). Try again.`
    return err.message
  }
  return err instanceof Error ? err.message : String(err)
}

/** Unwraps an openapi-fetch result: the data, or an ApiError carrying the problem. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw new ApiError(result.response.status, result.error as Problem | undefined, result.response)
  }
  return result.data as T
}
