import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'
import type { Task, TaskStatus } from '../api/types.ts'
import { patchTask } from '../tasks/task-cache.ts'

// a board shows every top-level task of its project; past this many it says it shows only these
export const BOARD_LIMIT = 2000

/** Every top-level task of a project in board order, read over the cursor 100 at a time. */
export function useBoardTasks(projectId: string) {
  return useQuery({
    queryKey: ['board', projectId],
    queryFn: async ({ signal }) => {
      const tasks: Task[] = []
      let cursor: string | undefined
      do {
        const page = unwrap(
          await api.GET('/api/v1/tasks', {
            params: { query: { projectId, parentId: 'none', sort: 'position', limit: 100, cursor } },
            signal,
          }),
        )
        tasks.push(...page.items)
        cursor = page.nextCursor ?? undefined
      } while (cursor && tasks.length < BOARD_LIMIT)
      return tasks
    },
  })
}

/** Moves a card: shown at once, written with one PATCH, put back if the server says no. */
export function useMoveTask(projectId: string) {
  const queryClient = useQueryClient()
  const key = ['board', projectId]
  return useMutation({
    mutationFn: async ({ task, to }: { task: Task; to: { status: TaskStatus; position: number } }) =>
      unwrap(await api.PATCH('/api/v1/tasks/{id}', { params: { path: { id: task.id } }, body: to })),
    onMutate: async ({ task, to }) => {
      await queryClient.cancelQueries({ queryKey: key })
      const before = queryClient.getQueryData<Task[]>(key)
      queryClient.setQueryData<Task[]>(key, (tasks) => tasks?.map((t) => (t.id === task.id ? { ...t, ...to } : t)))
      return { before }
    },
    onSuccess: (saved) => patchTask(queryClient, saved),
    onError: (_err, _vars, context) => {
      if (context?.before) queryClient.setQueryData(key, context.before)
    },
  })
}
