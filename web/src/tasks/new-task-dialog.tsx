import { useMutation, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { useNavigate } from 'react-router'
import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'
import { PRIORITIES, type TaskPriority } from '../api/types.ts'
import { useWorkspace } from '../shell/workspace.tsx'
import { Dialog } from '../ui/dialog.tsx'
import { FormError, SelectField, TextArea, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'
import { fromLocalInput } from './dates.ts'

/** Creates a task in the current project (the team's Inbox unless another is chosen). */
export function NewTaskDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { project } = useWorkspace()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const errors = useFormErrors(['title', 'description', 'priority', 'dueAt'])
  const [key, setKey] = useState(0)
  const create = useMutation({
    mutationFn: async (form: FormData) =>
      unwrap(
        await api.POST('/api/v1/tasks', {
          body: {
            projectId: project?.id,
            title: String(form.get('title') ?? ''),
            description: String(form.get('description') ?? '') || null,
            priority: String(form.get('priority')) as TaskPriority,
            dueAt: fromLocalInput(String(form.get('dueAt') ?? '')),
          },
        }),
      ),
    onSuccess: (task, form) => {
      void queryClient.invalidateQueries({ queryKey: ['tasks'] })
      void queryClient.invalidateQueries({ queryKey: ['board', task.projectId] })
      queryClient.setQueryData(['task', task.id], task)
      close()
      if (form.get('open') === 'on') navigate(`/tasks/${task.id}`)
    },
    onError: errors.show,
  })
  const close = () => {
    errors.clear()
    setKey((k) => k + 1)
    onClose()
  }
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    errors.clear()
    create.mutate(new FormData(e.currentTarget))
  }
  return (
    <Dialog open={open} onClose={close} title={`New task in ${project?.name ?? 'Inbox'}`}>
      <form key={key} onSubmit={submit} className="stack" noValidate>
        <TextField label="Title" name="title" required maxLength={500} autoFocus error={errors.fieldError('title')} />
        <TextArea label="Description" name="description" rows={3} error={errors.fieldError('description')} />
        <div className="row">
          <SelectField
            label="Priority"
            name="priority"
            defaultValue="medium"
            options={PRIORITIES}
            error={errors.fieldError('priority')}
          />
          <TextField label="Due" name="dueAt" type="datetime-local" error={errors.fieldError('dueAt')} />
        </div>
        <label className="check">
          <input type="checkbox" name="open" /> Open it after creating
        </label>
        <FormError message={errors.formError} />
        <div className="actions">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={create.isPending}>
            Create task
          </button>
        </div>
      </form>
    </Dialog>
  )
}
