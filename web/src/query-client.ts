import { QueryClient } from '@tanstack/react-query'
import { ApiError } from './api/problem.ts'

// the fetch layer already retried network errors, 429s and 503s; a 4xx will not improve by asking again
const retry = (failures: number, err: unknown) => !(err instanceof ApiError && err.status >= 400) && failures < 2

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      // the event stream says when something changed, so data stays fresh until then
      queries: { staleTime: 60_000, retry, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  })
}
