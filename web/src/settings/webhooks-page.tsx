import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { api } from '../api/client.ts'
import { describeError, unwrap } from '../api/problem.ts'
import type { components } from '../api/schema'
import { useWorkspace } from '../shell/workspace.tsx'
import { formatWhen } from '../tasks/dates.ts'
import { FormError, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'

type Webhook = components['schemas']['Webhook']
type EventName = components['schemas']['WebhookEventInput']
const EVENTS: EventName[] = [
  '*',
  'task.created',
  'task.updated',
  'task.status_changed',
  'task.deleted',
  'comment.created',
]

/** The team's signed webhooks (team admins): add one (its secret shown once), pause, delete, see deliveries. */
export default function WebhooksPage() {
  const { team } = useWorkspace()
  const queryClient = useQueryClient()
  const [secret, setSecret] = useState<string | null>(null)
  const [shown, setShown] = useState<string | null>(null)
  const manages = team.role === 'owner' || team.role === 'admin'
  const hooks = useQuery({
    queryKey: ['webhooks', team.id],
    enabled: manages,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/teams/{id}/webhooks', { params: { path: { id: team.id }, query: { limit: 100 } } }))
        .items,
  })
  const errors = useFormErrors(['url', 'events'])
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['webhooks', team.id] })
  const create = useMutation({
    mutationFn: async (body: { url: string; events: EventName[] }) =>
      unwrap(await api.POST('/api/v1/teams/{id}/webhooks', { params: { path: { id: team.id } }, body })),
    onSuccess: (hook) => {
      setSecret(hook.secret)
      void refresh()
    },
    onError: errors.show,
  })
  const update = useMutation({
    mutationFn: async ({ hook, active }: { hook: Webhook; active: boolean }) =>
      unwrap(
        await api.PATCH('/api/v1/webhooks/{id}', {
          params: { path: { id: hook.id }, header: { 'if-match': `"${hook.version}"` } },
          body: { active },
        }),
      ),
    onSuccess: refresh,
    onError: errors.show,
  })
  const remove = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/webhooks/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
    onError: errors.show,
  })
  if (!manages) {
    return (
      <section>
        <h1>Webhooks</h1>
        <p>Only the team's admins and owners manage its webhooks.</p>
      </section>
    )
  }
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = e.currentTarget
    const data = new FormData(form)
    errors.clear()
    create.mutate(
      { url: String(data.get('url') ?? ''), events: data.getAll('events').map(String) as EventName[] },
      { onSuccess: () => form.reset() },
    )
  }
  return (
    <section aria-labelledby="webhooks-heading">
      <h1 id="webhooks-heading">Webhooks of {team.name}</h1>
      {secret && (
        <div className="banner conflict" role="status">
          <p>The signing secret, shown only now (deliveries carry Tasklane-Signature made with it):</p>
          <p className="secret">{secret}</p>
          <button type="button" onClick={() => setSecret(null)}>
            I have copied it
          </button>
        </div>
      )}
      <form className="stack settings-card" onSubmit={submit} noValidate>
        <TextField label="Payload URL" name="url" type="url" required error={errors.fieldError('url')} />
        <fieldset className="scopes">
          <legend>Events</legend>
          {EVENTS.map((event) => (
            <label key={event} className="check">
              <input type="checkbox" name="events" value={event} defaultChecked={event === '*'} />
              {event === '*' ? 'Everything' : event}
            </label>
          ))}
        </fieldset>
        {errors.fieldError('events') && <p className="field-error">{errors.fieldError('events')}</p>}
        <FormError message={errors.formError} />
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            Add webhook
          </button>
        </div>
      </form>
      {hooks.error && <p role="alert">{describeError(hooks.error)}</p>}
      <ul className="plain-list">
        {hooks.data?.map((hook) => (
          <li key={hook.id} className="settings-card">
            <p>
              <strong>{hook.url}</strong> · {hook.active ? 'active' : 'paused'} · {hook.events.join(', ')}
            </p>
            <div className="actions">
              <button type="button" onClick={() => setShown(shown === hook.id ? null : hook.id)}>
                {shown === hook.id ? 'Hide deliveries' : 'Show deliveries'}
              </button>
              <button type="button" onClick={() => update.mutate({ hook, active: !hook.active })}>
                {hook.active ? 'Pause' : 'Resume'}
              </button>
              <button type="button" className="danger" onClick={() => remove.mutate(hook.id)}>
                Delete<span className="visually-hidden"> {hook.url}</span>
              </button>
            </div>
            {shown === hook.id && <Deliveries webhookId={hook.id} />}
          </li>
        ))}
      </ul>
    </section>
  )
}

function Deliveries({ webhookId }: { webhookId: string }) {
  const deliveries = useQuery({
    queryKey: ['deliveries', webhookId],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/webhooks/{id}/deliveries', {
          params: { path: { id: webhookId }, query: { limit: 20 } },
        }),
      ).items,
  })
  if (deliveries.data?.length === 0) return <p className="muted">No deliveries yet.</p>
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col">Status</th>
          <th scope="col">Attempts</th>
          <th scope="col">Last answer</th>
          <th scope="col">At</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.data?.map((d) => {
          const last = d.attempts.at(-1)
          return (
            <tr key={d.id}>
              <td>{d.type}</td>
              <td>{d.status}</td>
              <td>{d.attempts.length}</td>
              <td>{last ? (last.statusCode ?? last.error ?? '—') : '—'}</td>
              <td>{formatWhen(d.updatedAt)}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
