import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { FormEvent } from 'react'
import { api } from '../../api/client.ts'
import { unwrap } from '../../api/problem.ts'
import { useMe } from '../../auth/auth.tsx'
import { FormError, TextArea } from '../../ui/field.tsx'
import { useFormErrors } from '../../ui/use-form-errors.ts'
import { formatWhen } from '../dates.ts'

/** The task's comments, oldest first, and a box to add one. */
export function Comments({ taskId }: { taskId: string }) {
  const queryClient = useQueryClient()
  const me = useMe()
  const comments = useQuery({
    queryKey: ['comments', taskId],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/tasks/{id}/comments', { params: { path: { id: taskId }, query: { limit: 100 } } })),
  })
  const errors = useFormErrors(['body'])
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['comments', taskId] })
  const add = useMutation({
    mutationFn: async (body: string) =>
      unwrap(await api.POST('/api/v1/tasks/{id}/comments', { params: { path: { id: taskId } }, body: { body } })),
    onSuccess: refresh,
    onError: errors.show,
  })
  const remove = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/comments/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
    onError: errors.show,
  })
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = e.currentTarget
    errors.clear()
    add.mutate(String(new FormData(form).get('body') ?? ''), { onSuccess: () => form.reset() })
  }
  return (
    <section aria-labelledby="comments-heading">
      <h2 id="comments-heading">Comments</h2>
      {comments.data?.items.length === 0 && <p className="muted">No comments yet.</p>}
      <ol className="comments">
        {comments.data?.items.map((c) => (
          <li key={c.id}>
            <p className="comment-meta">
              <strong>{c.author?.name ?? 'Someone'}</strong> ·{' '}
              <time dateTime={c.createdAt}>{formatWhen(c.createdAt)}</time>
              {c.authorId === me.data?.id && (
                <button type="button" className="link-button" onClick={() => remove.mutate(c.id)}>
                  Delete<span className="visually-hidden"> this comment</span>
                </button>
              )}
            </p>
            <p className="comment-body">{c.body}</p>
          </li>
        ))}
      </ol>
      {comments.data?.nextCursor && <p className="muted">Only the first 100 comments are shown.</p>}
      <form className="stack" onSubmit={submit} noValidate>
        <TextArea label="Comment" name="body" rows={3} required maxLength={10_000} error={errors.fieldError('body')} />
        <FormError message={errors.formError} />
        <div className="actions">
          <button type="submit" className="primary" disabled={add.isPending}>
            Add comment
          </button>
        </div>
      </form>
    </section>
  )
}
