import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { api } from '../api/client.ts'
import { describeError, unwrap } from '../api/problem.ts'
import { useWorkspace } from '../shell/workspace.tsx'
import { formatWhen } from '../tasks/dates.ts'
import { FormError, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'
import { NoteEditor } from './note-editor.tsx'

const notesKey = ['notes']

/** Personal notes (optionally shared with a project): a list, a new-note form and the chosen note. */
export default function NotesPage() {
  const { projects } = useWorkspace()
  const queryClient = useQueryClient()
  const [openId, setOpenId] = useState<string | null>(null)
  const notes = useQuery({
    queryKey: notesKey,
    queryFn: async () => unwrap(await api.GET('/api/v1/notes', { params: { query: { limit: 100 } } })),
  })
  const errors = useFormErrors(['title'])
  const create = useMutation({
    mutationFn: async (title: string) => unwrap(await api.POST('/api/v1/notes', { body: { title, body: '' } })),
    onSuccess: (note) => {
      void queryClient.invalidateQueries({ queryKey: notesKey })
      setOpenId(note.id)
    },
    onError: errors.show,
  })
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = e.currentTarget
    errors.clear()
    create.mutate(String(new FormData(form).get('title') ?? ''), { onSuccess: () => form.reset() })
  }
  const open = notes.data?.items.find((n) => n.id === openId)
  const projectName = (id: string | null) => projects.find((p) => p.id === id)?.name
  return (
    <section aria-labelledby="notes-heading">
      <h1 id="notes-heading">Notes</h1>
      <form className="inline-form" onSubmit={submit} noValidate>
        <TextField label="New note title" name="title" required maxLength={500} error={errors.fieldError('title')} />
        <button type="submit" className="primary" disabled={create.isPending}>
          Create note
        </button>
        <FormError message={errors.formError} />
      </form>
      {notes.error && <p role="alert">{describeError(notes.error)}</p>}
      <div className="notes-layout">
        <ul className="plain-list notes-list" aria-label="Notes">
          {notes.data?.items.map((note) => (
            <li key={note.id}>
              <button
                type="button"
                className={note.id === openId ? 'note-item current' : 'note-item'}
                aria-current={note.id === openId ? 'true' : undefined}
                onClick={() => setOpenId(note.id)}
              >
                <strong>{note.title}</strong>
                <span className="muted">
                  {formatWhen(note.updatedAt)}
                  {note.projectId && ` · shared with ${projectName(note.projectId) ?? 'a project'}`}
                  {note.file && ` · ${note.file.filename}`}
                </span>
              </button>
            </li>
          ))}
          {notes.isSuccess && notes.data.items.length === 0 && <li className="muted">No notes yet.</li>}
        </ul>
        {open ? (
          <NoteEditor key={open.id} note={open} onDeleted={() => setOpenId(null)} />
        ) : (
          <p className="muted">Choose a note to read or edit it.</p>
        )}
      </div>
    </section>
  )
}
