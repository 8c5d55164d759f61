import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { FormEvent } from 'react'
import { Link } from 'react-router'
import { api } from '../../api/client.ts'
import { unwrap } from '../../api/problem.ts'
import type { Task } from '../../api/types.ts'
import { FormError, TextField } from '../../ui/field.tsx'
import { useFormErrors } from '../../ui/use-form-errors.ts'
import { patchTask } from '../task-cache.ts'

/** A task's subtasks: tick one done, open it, add one. */
export function Subtasks({ parent }: { parent: Task }) {
  const queryClient = useQueryClient()
  const query = { parentId: parent.id, limit: 100, sort: 'createdAt' } as const
  const subtasks = useQuery({
    queryKey: ['tasks', query],
    queryFn: async () => unwrap(await api.GET('/api/v1/tasks', { params: { query } })),
    select: (page) => page.items,
  })
  const errors = useFormErrors(['title'])
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['tasks', query] })
    void queryClient.invalidateQueries({ queryKey: ['task', parent.id] })
  }
  const add = useMutation({
    mutationFn: async (title: string) =>
      unwrap(await api.POST('/api/v1/tasks', { body: { title, parentId: parent.id, projectId: parent.projectId } })),
    onSuccess: refresh,
    onError: errors.show,
  })
  const toggle = useMutation({
    mutationFn: async (task: Task) =>
      unwrap(
        await api.PATCH('/api/v1/tasks/{id}/status', {
          params: { path: { id: task.id } },
          body: { status: task.status === 'done' ? 'todo' : 'done' },
        }),
      ),
    onSuccess: (task) => patchTask(queryClient, task),
    onError: errors.show,
  })
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = e.currentTarget
    errors.clear()
    add.mutate(String(new FormData(form).get('title') ?? ''), { onSuccess: () => form.reset() })
  }
  return (
    <section aria-labelledby="subtasks-heading">
      <h2 id="subtasks-heading">Subtasks</h2>
      <ul className="plain-list">
        {subtasks.data?.map((task) => (
          <li key={task.id} className="subtask">
            <input
              type="checkbox"
              aria-label={`Done: ${task.title}`}
              checked={task.status === 'done'}
              onChange={() => toggle.mutate(task)}
            />
            <Link to={`/tasks/${task.id}`}>{task.title}</Link>
          </li>
        ))}
      </ul>
      <form className="inline-form" onSubmit={submit} noValidate>
        <TextField label="New subtask" name="title" required maxLength={500} error={errors.fieldError('title')} />
        <button type="submit" disabled={add.isPending}>
          Add subtask
        </button>
        <FormError message={errors.formError} />
      </form>
    </section>
  )
}
