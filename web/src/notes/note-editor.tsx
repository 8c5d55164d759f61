import { useMutation, useQueryClient } from '@tanstack/react-query'
import { type ChangeEvent, type FormEvent, useState } from 'react'
import { api } from '../api/client.ts'
import { ApiError, unwrap } from '../api/problem.ts'
import type { components } from '../api/schema'
import { downloadFile, uploadFile } from '../api/upload.ts'
import { useWorkspace } from '../shell/workspace.tsx'
import { FormError, SelectField, TextArea, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'

type Note = components['schemas']['Note']

/** One note: title, text, the project it is shared with, its file; saved with If-Match. */
export function NoteEditor({ note, onDeleted }: { note: Note; onDeleted(): void }) {
  const queryClient = useQueryClient()
  const { projects } = useWorkspace()
  const errors = useFormErrors(['title', 'body', 'projectId'])
  const [progress, setProgress] = useState<number | null>(null)
  // the version these inputs started from: what arrives from elsewhere does not overwrite the person's edits
  const [baseVersion, setBaseVersion] = useState(note.version)
  const [reloads, setReloads] = useState(0)
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['notes'] })
  const ifMatch = { 'if-match': `"${baseVersion}"` }
  const save = useMutation({
    mutationFn: async (body: { title: string; body: string; projectId: string | null }) =>
      unwrap(await api.PATCH('/api/v1/notes/{id}', { params: { path: { id: note.id }, header: ifMatch }, body })),
    onSuccess: (saved) => {
      setBaseVersion(saved.version)
      void refresh()
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 412) {
        errors.show(
          new Error('This note changed elsewhere, so your edits were not saved. Load the current version to see it.'),
        )
        void refresh()
      } else errors.show(err)
    },
  })
  const remove = useMutation({
    mutationFn: async () =>
      unwrap(await api.DELETE('/api/v1/notes/{id}', { params: { path: { id: note.id }, header: ifMatch } })),
    onSuccess: () => {
      onDeleted()
      void refresh()
    },
    onError: errors.show,
  })
  const removeFile = useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/api/v1/notes/{id}/file', { params: { path: { id: note.id } } })),
    onSuccess: refresh,
    onError: errors.show,
  })
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    errors.clear()
    save.mutate({
      title: String(form.get('title') ?? ''),
      body: String(form.get('body') ?? ''),
      projectId: String(form.get('projectId') ?? '') || null,
    })
  }
  const attach = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.currentTarget.files?.[0]
    if (!file) return
    setProgress(0)
    try {
      await uploadFile(`/api/v1/notes/${note.id}/file`, file, setProgress, 'PUT')
    } catch (err) {
      errors.show(err)
    }
    setProgress(null)
    void refresh()
  }
  return (
    <form key={reloads} className="stack note-editor" onSubmit={submit} noValidate aria-label={`Note ${note.title}`}>
      {note.version !== baseVersion && (
        <p className="banner conflict" role="status">
          This note changed elsewhere.{' '}
          <button
            type="button"
            onClick={() => {
              setBaseVersion(note.version)
              setReloads((n) => n + 1)
              errors.clear()
            }}
          >
            Load the current version
          </button>
        </p>
      )}
      <TextField label="Title" name="title" defaultValue={note.title} required error={errors.fieldError('title')} />
      <TextArea label="Text" name="body" rows={12} defaultValue={note.body} error={errors.fieldError('body')} />
      <SelectField
        label="Shared with"
        name="projectId"
        defaultValue={note.projectId ?? ''}
        options={[{ value: '', label: 'Only me' }, ...projects.map((p) => ({ value: p.id, label: p.name }))]}
        error={errors.fieldError('projectId')}
      />
      <div>
        {note.file ? (
          <p>
            File:{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => downloadFile(note.file!.url, note.file!.filename).catch((err) => errors.show(err))}
            >
              <span className="visually-hidden">Download </span>
              {note.file.filename}
            </button>{' '}
            <button type="button" className="link-button" onClick={() => removeFile.mutate()}>
              Remove file
            </button>
          </p>
        ) : null}
        <label className="upload">
          <span>{note.file ? 'Replace the file' : 'Attach a file'}</span>
          <input type="file" onChange={(e) => void attach(e)} disabled={progress !== null} />
        </label>
        {progress !== null && (
          <progress max={1} value={progress} aria-label="Upload progress">
            {Math.round(progress * 100)}%
          </progress>
        )}
      </div>
      <FormError message={errors.formError} />
      {save.isSuccess && <p role="status">Saved.</p>}
      <div className="actions">
        <button type="button" className="danger" onClick={() => remove.mutate()}>
          Delete note
        </button>
        <button type="submit" className="primary" disabled={save.isPending}>
          Save note
        </button>
      </div>
    </form>
  )
}
