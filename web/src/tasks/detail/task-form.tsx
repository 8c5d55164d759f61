import { useMutation, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useEffect, useState } from 'react'
import { useNavigate } from 'react-router'
import { api } from '../../api/client.ts'
import { ApiError, unwrap } from '../../api/problem.ts'
import { PRIORITIES, STATUSES, type Task, type UpdateTaskInput } from '../../api/types.ts'
import { useMembers, useTags } from '../../shell/team-data.ts'
import { FormError, SelectField, TextArea, TextField } from '../../ui/field.tsx'
import { useFormErrors } from '../../ui/use-form-errors.ts'
import { patchTask, removeTask } from '../task-cache.ts'
import { ConflictNotice } from './conflict-notice.tsx'
import { changedFields, type Draft, draftOf, RECURRENCES } from './draft.ts'

const FIELDS = ['title', 'description', 'status', 'priority', 'dueAt', 'remindAt', 'assigneeId', 'tagIds', 'recurrence']

/**
 * Edits every field of a task and saves only what changed, with If-Match on the version the edit
 * started from: a save that lost a race (412) shows the current version and lets the person choose.
 */
export function TaskForm({ task }: { task: Task }) {
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const members = useMembers(task.teamId)
  const tags = useTags(task.teamId)
  const errors = useFormErrors(FIELDS)
  // the version the draft was started from; what the live stream brings in does not move it while editing
  const [base, setBase] = useState(task)
  const [draft, setDraft] = useState<Draft>(() => draftOf(task))
  const [conflict, setConflict] = useState<Task | null>(null)
  const changes = changedFields(base, draft)
  const dirty = Object.keys(changes).length > 0

  useEffect(() => {
    // a change from elsewhere while nothing is edited here: show it
    if (!dirty && task.version !== base.version) {
      setBase(task)
      setDraft(draftOf(task))
    }
  }, [task, base.version, dirty])

  const save = useMutation({
    mutationFn: async ({ version, body }: { version: number; body: UpdateTaskInput }) =>
      unwrap(
        await api.PATCH('/api/v1/tasks/{id}', {
          params: { path: { id: task.id }, header: { 'if-match': `"${version}"` } },
          body,
        }),
      ),
    onSuccess: (saved) => {
      patchTask(queryClient, saved)
      void queryClient.invalidateQueries({ queryKey: ['tasks'] })
      setConflict(null)
      setBase(saved)
      setDraft(draftOf(saved))
    },
    onError: async (err) => {
      if (err instanceof ApiError && err.status === 412) {
        const current = unwrap(await api.GET('/api/v1/tasks/{id}', { params: { path: { id: task.id } } }))
        patchTask(queryClient, current)
        setConflict(current)
        return
      }
      errors.show(err)
    },
  })
  const remove = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.DELETE('/api/v1/tasks/{id}', {
          params: { path: { id: task.id }, header: { 'if-match': `"${base.version}"` } },
        }),
      ),
    onSuccess: () => {
      removeTask(queryClient, task.id)
      navigate('/tasks')
    },
    onError: errors.show,
  })

  const submit = (e: FormEvent) => {
    e.preventDefault()
    errors.clear()
    save.mutate({ version: base.version, body: changes })
  }
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }))

  return (
    <form className="stack task-form" onSubmit={submit} noValidate aria-label="Task">
      {conflict && (
        <ConflictNotice
          mine={draft}
          current={conflict}
          onDiscard={() => {
            setConflict(null)
            setBase(conflict)
            setDraft(draftOf(conflict))
          }}
          onOverwrite={() => save.mutate({ version: conflict.version, body: changedFields(base, draft) })}
        />
      )}
      <TextField
        label="Title"
        value={draft.title}
        maxLength={500}
        required
        onChange={(e) => set('title', e.target.value)}
        error={errors.fieldError('title')}
      />
      <TextArea
        label="Description"
        rows={4}
        value={draft.description}
        onChange={(e) => set('description', e.target.value)}
        error={errors.fieldError('description')}
      />
      <div className="row">
        <SelectField
          label="Status"
          value={draft.status}
          options={STATUSES}
          onChange={(e) => set('status', e.target.value as Draft['status'])}
          error={errors.fieldError('status')}
        />
        <SelectField
          label="Priority"
          value={draft.priority}
          options={PRIORITIES}
          onChange={(e) => set('priority', e.target.value as Draft['priority'])}
          error={errors.fieldError('priority')}
        />
        <SelectField
          label="Assignee"
          value={draft.assigneeId}
          options={[
            { value: '', label: 'Nobody' },
            ...(members.data ?? []).map((m) => ({ value: m.userId, label: m.name })),
          ]}
          onChange={(e) => set('assigneeId', e.target.value)}
          error={errors.fieldError('assigneeId')}
        />
      </div>
      <div className="row">
        <TextField
          label="Due"
          type="datetime-local"
          value={draft.dueAt}
          onChange={(e) => set('dueAt', e.target.value)}
          error={errors.fieldError('dueAt')}
        />
        <TextField
          label="Remind me at"
          type="datetime-local"
          value={draft.remindAt}
          onChange={(e) => set('remindAt', e.target.value)}
          error={errors.fieldError('remindAt')}
        />
        <TextField
          label="Repeats"
          value={draft.recurrence}
          list="recurrence-presets"
          placeholder="Does not repeat"
          hint="An RRULE such as FREQ=WEEKLY;BYDAY=MO: completing the task creates the next one."
          onChange={(e) => set('recurrence', e.target.value)}
          error={errors.fieldError('recurrence')}
        />
        <datalist id="recurrence-presets">
          {RECURRENCES.map((r) => (
            <option key={r.value} value={r.value} label={r.label} />
          ))}
        </datalist>
      </div>
      <fieldset className="tag-picker">
        <legend>Tags</legend>
        {tags.data?.length === 0 && <span className="muted">This team has no tags yet.</span>}
        {tags.data?.map((tag) => (
          <label key={tag.id} className="check">
            <input
              type="checkbox"
              checked={draft.tagIds.includes(tag.id)}
              onChange={(e) =>
                set('tagIds', e.target.checked ? [...draft.tagIds, tag.id] : draft.tagIds.filter((t) => t !== tag.id))
              }
            />
            <span className="tag" style={{ borderColor: tag.color }}>
              {tag.name}
            </span>
          </label>
        ))}
        {errors.fieldError('tagIds') && <small className="field-error">{errors.fieldError('tagIds')}</small>}
      </fieldset>
      <FormError message={errors.formError} />
      <div className="actions">
        <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
          Delete task
        </button>
        <button
          type="button"
          disabled={!dirty}
          onClick={() => {
            setDraft(draftOf(base))
            errors.clear()
          }}
        >
          Discard changes
        </button>
        <button type="submit" className="primary" disabled={!dirty || save.isPending}>
          {save.isPending ? 'Saving…' : 'Save changes'}
        </button>
      </div>
    </form>
  )
}
