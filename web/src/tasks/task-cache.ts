import type { InfiniteData, QueryClient, QueryKey } from '@tanstack/react-query'
import type { Task } from '../api/types.ts'
import type { TaskListQuery } from './task-query.ts'

type Page = { items: Task[]; nextCursor: string | null }
// a list is cached as pages ("Load more") or, for short lists such as subtasks, as one page
type ListData = InfiniteData<Page, string | undefined> | Page

const listQuery = (key: QueryKey) => key[1] as TaskListQuery | undefined
const pagesOf = (data: ListData | undefined): Page[] => (!data ? [] : 'pages' in data ? data.pages : [data])
const holds = (data: ListData | undefined, id: string) => pagesOf(data).some((p) => p.items.some((t) => t.id === id))
function mapItems(data: ListData | undefined, map: (items: Task[]) => Task[]): ListData | undefined {
  if (!data) return data
  if ('pages' in data) return { ...data, pages: data.pages.map((p) => ({ ...p, items: map(p.items) })) }
  return { ...data, items: map(data.items) }
}

// a list whose filters could let a changed task in or out: its membership is the server's to say
const FILTERS = [
  'status',
  'priority',
  'assigneeId',
  'tag',
  'dueBefore',
  'dueAfter',
  'overdue',
  'q',
  'parentId',
] as const
const filtered = (query: TaskListQuery | undefined) => !!query && FILTERS.some((f) => query[f] !== undefined)

/** Puts a task's new state wherever it is shown: its detail, every list page and board holding it. */
export function patchTask(queryClient: QueryClient, task: Task) {
  queryClient.setQueryData(['task', task.id], task)
  queryClient.setQueriesData<ListData>({ queryKey: ['tasks'] }, (data) =>
    holds(data, task.id) ? mapItems(data, (items) => items.map((t) => (t.id === task.id ? task : t))) : data,
  )
  queryClient.setQueriesData<Task[]>({ queryKey: ['board'] }, (tasks) =>
    tasks?.some((t) => t.id === task.id) ? tasks.map((t) => (t.id === task.id ? task : t)) : tasks,
  )
}

/** Drops a deleted task from every list and board, and its detail. */
export function removeTask(queryClient: QueryClient, id: string) {
  queryClient.removeQueries({ queryKey: ['task', id], exact: true })
  queryClient.setQueriesData<ListData>({ queryKey: ['tasks'] }, (data) =>
    holds(data, id) ? mapItems(data, (items) => items.filter((t) => t.id !== id)) : data,
  )
  queryClient.setQueriesData<Task[]>({ queryKey: ['board'] }, (tasks) => tasks?.filter((t) => t.id !== id))
}

/** Whether any cached screen shows this task (otherwise there is nothing to fetch it for). */
export function isShown(queryClient: QueryClient, id: string): boolean {
  if (queryClient.getQueryData(['task', id])) return true
  if (queryClient.getQueriesData<ListData>({ queryKey: ['tasks'] }).some(([, d]) => holds(d, id))) return true
  return queryClient.getQueriesData<Task[]>({ queryKey: ['board'] }).some(([, d]) => d?.some((t) => t.id === id))
}

/** Refetches (when on screen) the filtered lists holding this task, whose membership may have changed. */
export function recheckFilteredLists(queryClient: QueryClient, id: string) {
  void queryClient.invalidateQueries({
    queryKey: ['tasks'],
    predicate: (q) => filtered(listQuery(q.queryKey)) && holds(q.state.data as ListData | undefined, id),
  })
}

/** Refetches (when on screen) the lists and the board a new task of this project could appear in. */
export function recheckProjectLists(queryClient: QueryClient, projectId: string, teamId: string | null) {
  void queryClient.invalidateQueries({
    queryKey: ['tasks'],
    predicate: (q) => {
      const query = listQuery(q.queryKey)
      return query?.projectId === projectId || (!!teamId && query?.teamId === teamId) || !!query?.parentId
    },
  })
  void queryClient.invalidateQueries({ queryKey: ['board', projectId] })
}
