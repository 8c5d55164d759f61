import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query'
import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'
import type { TaskListQuery } from './task-query.ts'

export const taskListOptions = (query: TaskListQuery) =>
  infiniteQueryOptions({
    queryKey: ['tasks', query],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) =>
      unwrap(await api.GET('/api/v1/tasks', { params: { query: { ...query, cursor: pageParam } }, signal })),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  })

/** A task list over the API's keyset cursor: pages are appended with fetchNextPage ("Load more"). */
export const useTaskList = (query: TaskListQuery) => useInfiniteQuery(taskListOptions(query))
