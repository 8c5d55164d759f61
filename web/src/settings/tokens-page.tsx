import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { api } from '../api/client.ts'
import { describeError, unwrap } from '../api/problem.ts'
import type { components } from '../api/schema'
import { formatWhen } from '../tasks/dates.ts'
import { FormError, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'

type Scope = components['schemas']['Scope']
const SCOPES: Scope[] = [
  'teams:read',
  'teams:write',
  'projects:read',
  'projects:write',
  'tasks:read',
  'tasks:write',
  'files:read',
  'files:write',
]

/** Personal access tokens for scripts: create one with scopes (its secret is shown once), revoke. */
export default function TokensPage() {
  const queryClient = useQueryClient()
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null)
  const tokens = useQuery({
    queryKey: ['tokens'],
    queryFn: async () => unwrap(await api.GET('/api/v1/tokens', { params: { query: { limit: 100 } } })).items,
  })
  const errors = useFormErrors(['name', 'scopes', 'expiresAt'])
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['tokens'] })
  const create = useMutation({
    mutationFn: async (body: { name: string; scopes: Scope[]; expiresAt?: string }) =>
      unwrap(await api.POST('/api/v1/tokens', { body })),
    onSuccess: (token) => {
      setSecret({ name: token.name, secret: token.secret })
      void refresh()
    },
    onError: errors.show,
  })
  const revoke = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
    onError: errors.show,
  })
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = e.currentTarget
    const data = new FormData(form)
    errors.clear()
    const expires = String(data.get('expiresAt') ?? '')
    create.mutate(
      {
        name: String(data.get('name') ?? ''),
        scopes: data.getAll('scopes').map(String) as Scope[],
        ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}),
      },
      { onSuccess: () => form.reset() },
    )
  }
  return (
    <section aria-labelledby="tokens-heading">
      <h1 id="tokens-heading">Personal access tokens</h1>
      <p className="muted">A token lets a script use the API as you, limited to the scopes you give it.</p>
      {secret && (
        <div className="banner conflict" role="status">
          <p>The secret of “{secret.name}”, shown only now: copy it to where the script keeps its secrets.</p>
          <p className="secret">{secret.secret}</p>
          <button type="button" onClick={() => setSecret(null)}>
            I have copied it
          </button>
        </div>
      )}
      <form className="stack settings-card" onSubmit={submit} noValidate>
        <TextField label="Token name" name="name" required maxLength={100} error={errors.fieldError('name')} />
        <fieldset className="scopes">
          <legend>Scopes</legend>
          {SCOPES.map((scope) => (
            <label key={scope} className="check">
              <input type="checkbox" name="scopes" value={scope} defaultChecked={scope.endsWith(':read')} />
              {scope}
            </label>
          ))}
        </fieldset>
        {errors.fieldError('scopes') && <p className="field-error">{errors.fieldError('scopes')}</p>}
        <TextField label="Expires on (optional)" name="expiresAt" type="date" error={errors.fieldError('expiresAt')} />
        <FormError message={errors.formError} />
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            Create token
          </button>
        </div>
      </form>
      {tokens.error && <p role="alert">{describeError(tokens.error)}</p>}
      <div className="table-scroll">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scopes</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">Revoke</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data?.map((t) => (
              <tr key={t.id}>
                <th scope="row">{t.name}</th>
                <td>{t.scopes.join(', ')}</td>
                <td>{t.lastUsedAt ? formatWhen(t.lastUsedAt) : 'never'}</td>
                <td>{t.expiresAt ? formatWhen(t.expiresAt) : 'never'}</td>
                <td>
                  <button type="button" onClick={() => revoke.mutate(t.id)}>
                    Revoke<span className="visually-hidden"> {t.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}
