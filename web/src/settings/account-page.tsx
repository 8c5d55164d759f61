import { useMutation, useQueryClient } from '@tanstack/react-query'
import type { FormEvent } from 'react'
import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'
import { useMe } from '../auth/auth.tsx'
import { FormError, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'

/** The signed-in person: name, email notifications, password. */
export default function AccountPage() {
  const me = useMe()
  const queryClient = useQueryClient()
  const profileErrors = useFormErrors(['name'])
  const passwordErrors = useFormErrors(['currentPassword', 'newPassword'])
  const profile = useMutation({
    mutationFn: async (body: {
      name: string
      notifications: { assigned: boolean; reminders: boolean; webhooks: boolean; jobs: boolean }
    }) => unwrap(await api.PATCH('/api/v1/users/me', { body })),
    onSuccess: (saved) => queryClient.setQueryData(['me'], saved),
    onError: profileErrors.show,
  })
  const password = useMutation({
    mutationFn: async (body: { currentPassword: string; newPassword: string }) =>
      unwrap(await api.POST('/api/v1/users/me/password', { body })),
    onError: passwordErrors.show,
  })
  if (!me.data) return <p aria-busy="true">Loading…</p>
  const saveProfile = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const data = new FormData(e.currentTarget)
    profileErrors.clear()
    profile.mutate({
      name: String(data.get('name') ?? ''),
      notifications: {
        assigned: data.get('assigned') === 'on',
        reminders: data.get('reminders') === 'on',
        webhooks: data.get('webhooks') === 'on',
        jobs: data.get('jobs') === 'on',
      },
    })
  }
  const changePassword = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = e.currentTarget
    const data = new FormData(form)
    passwordErrors.clear()
    password.mutate(
      {
        currentPassword: String(data.get('currentPassword') ?? ''),
        newPassword: String(data.get('newPassword') ?? ''),
      },
      { onSuccess: () => form.reset() },
    )
  }
  const n = me.data.notifications
  return (
    <section aria-labelledby="account-heading">
      <h1 id="account-heading">Your account</h1>
      <p>{me.data.email}</p>
      <form className="stack settings-card" onSubmit={saveProfile} noValidate aria-label="Profile">
        <TextField
          label="Name"
          name="name"
          defaultValue={me.data.name}
          required
          error={profileErrors.fieldError('name')}
        />
        <fieldset className="scopes">
          <legend>Email me when</legend>
          <label className="check">
            <input type="checkbox" name="assigned" defaultChecked={n.assigned} /> a task is assigned to me
          </label>
          <label className="check">
            <input type="checkbox" name="reminders" defaultChecked={n.reminders} /> a reminder is due
          </label>
          <label className="check">
            <input type="checkbox" name="webhooks" defaultChecked={n.webhooks} /> a webhook of my team fails
          </label>
          <label className="check">
            <input type="checkbox" name="jobs" defaultChecked={n.jobs} /> an export, import or report I started has
            finished
          </label>
        </fieldset>
        <FormError message={profileErrors.formError} />
        {profile.isSuccess && <p role="status">Saved.</p>}
        <div className="actions">
          <button type="submit" className="primary" disabled={profile.isPending}>
            Save profile
          </button>
        </div>
      </form>
      <form className="stack settings-card" onSubmit={changePassword} noValidate aria-label="Password">
        <TextField
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          error={passwordErrors.fieldError('currentPassword')}
        />
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          error={passwordErrors.fieldError('newPassword')}
        />
        <FormError message={passwordErrors.formError} />
        {password.isSuccess && <p role="status">Password changed; your other sessions were signed out.</p>}
        <div className="actions">
          <button type="submit" className="primary" disabled={password.isPending}>
            Change password
          </button>
        </div>
      </form>
    </section>
  )
}
