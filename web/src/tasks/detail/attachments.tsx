import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type ChangeEvent, useState } from 'react'
import { api } from '../../api/client.ts'
import { describeError, unwrap } from '../../api/problem.ts'
import type { Attachment } from '../../api/types.ts'
import { downloadFile, uploadFile } from '../../api/upload.ts'

const TEXT_STATUS: Record<Attachment['extraction']['status'], string> = {
  queued: 'text extraction queued',
  processing: 'extracting text…',
  done: 'text extracted (searchable)',
  failed: 'text extraction failed',
  skipped: '',
}
const pending = (a: Attachment) => a.extraction.status === 'queued' || a.extraction.status === 'processing'

const size = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MB`

/** The task's files: upload with progress, download, the PDF text status (watched while it runs), delete. */
export function Attachments({ taskId }: { taskId: string }) {
  const queryClient = useQueryClient()
  const [progress, setProgress] = useState<{ name: string; fraction: number } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const attachments = useQuery({
    queryKey: ['attachments', taskId],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/tasks/{id}/attachments', { params: { path: { id: taskId }, query: { limit: 100 } } }),
      ).items,
    // extraction runs in the background and emits no event when it ends: look again while it runs
    refetchInterval: (query) => (query.state.data?.some(pending) ? 2000 : false),
  })
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['attachments', taskId] })
  const remove = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.DELETE('/api/v1/attachments/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
    onError: (err) => setError(describeError(err)),
  })
  const extract = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST('/api/v1/attachments/{id}/extract', { params: { path: { id } } })),
    onSuccess: refresh,
    onError: (err) => setError(describeError(err)),
  })
  const upload = async (e: ChangeEvent<HTMLInputElement>) => {
    const input = e.currentTarget
    const files = [...(input.files ?? [])]
    setError(null)
    for (const file of files) {
      setProgress({ name: file.name, fraction: 0 })
      try {
        await uploadFile<Attachment>(`/api/v1/tasks/${taskId}/attachments`, file, (fraction) =>
          setProgress({ name: file.name, fraction }),
        )
      } catch (err) {
        setError(`${file.name}: ${describeError(err)}`)
      }
    }
    setProgress(null)
    input.value = ''
    void refresh()
  }
  const download = (a: Attachment) =>
    downloadFile(`/api/v1/attachments/${a.id}/content`, a.filename).catch((err) => setError(describeError(err)))

  return (
    <section aria-labelledby="files-heading">
      <h2 id="files-heading">Files</h2>
      <ul className="plain-list files">
        {attachments.data?.map((a) => (
          <li key={a.id}>
            <button type="button" className="link-button" onClick={() => void download(a)}>
              <span className="visually-hidden">Download </span>
              {a.filename}
            </button>{' '}
            <span className="muted">{size(a.size)}</span>
            {TEXT_STATUS[a.extraction.status] && (
              <span className="muted" data-extraction={a.extraction.status}>
                {' · '}
                {TEXT_STATUS[a.extraction.status]}
                {a.extraction.error && `: ${a.extraction.error}`}
              </span>
            )}
            <span className="file-actions">
              {a.extraction.status === 'failed' && (
                <button type="button" className="link-button" onClick={() => extract.mutate(a.id)}>
                  Extract again
                </button>
              )}
              <button type="button" className="link-button" onClick={() => remove.mutate(a.id)}>
                Remove<span className="visually-hidden"> {a.filename}</span>
              </button>
            </span>
          </li>
        ))}
      </ul>
      <label className="upload">
        <span>Attach files</span>
        <input type="file" multiple onChange={(e) => void upload(e)} disabled={!!progress} />
      </label>
      {progress && (
        <p>
          <label>
            Uploading {progress.name}{' '}
            <progress max={1} value={progress.fraction}>
              {Math.round(progress.fraction * 100)}%
            </progress>
          </label>
        </p>
      )}
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
    </section>
  )
}
