import { useMutation } from '@tanstack/react-query'
import type { FormEvent } from 'react'
import { FormError, TextField } from './field.tsx'
import { useFormErrors } from './use-form-errors.ts'

/**
 * A one-field create form (a team, a project): the name, a submit button disabled while the call
 * runs, the API's message for the name under it and any other error below. The field is emptied
 * once `create` succeeded and `onCreated` has run.
 */
export function CreateForm<T>({
  label,
  submit,
  create,
  onCreated,
}: {
  /** the field's label, e.g. "New team name" */
  label: string
  /** the button's text, e.g. "Create team" */
  submit: string
  create: (name: string) => Promise<T>
  onCreated: (created: T) => unknown
}) {
  const errors = useFormErrors(['name'])
  const mutation = useMutation({ mutationFn: create, onSuccess: onCreated, onError: errors.show })
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = e.currentTarget
    errors.clear()
    mutation.mutate(String(new FormData(form).get('name') ?? ''), { onSuccess: () => form.reset() })
  }
  return (
    <form onSubmit={onSubmit} className="inline-form" noValidate>
      <TextField label={label} name="name" required maxLength={200} error={errors.fieldError('name')} />
      <button type="submit" className="primary" disabled={mutation.isPending}>
        {submit}
      </button>
      <FormError message={errors.formError} />
    </form>
  )
}
