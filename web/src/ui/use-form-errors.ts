import { useState } from 'react'
import { ApiError, describeError } from '../api/problem.ts'

/**
 * A form's errors from a failed call: messages for the fields it shows (by the API's errors[].path),
 * and one line for the rest.
 */
export function useFormErrors(fields: readonly string[]) {
  const [state, setState] = useState<{ fields: Record<string, string>; form: string | null }>({
    fields: {},
    form: null,
  })
  return {
    fieldError: (name: string) => state.fields[name],
    formError: state.form,
    clear: () => setState({ fields: {}, form: null }),
    show: (err: unknown) => {
      const byField = err instanceof ApiError ? err.fieldErrors : {}
      const shown = Object.fromEntries(Object.entries(byField).filter(([f]) => fields.includes(f)))
      const rest = Object.entries(byField).filter(([f]) => !fields.includes(f))
      const form = Object.keys(shown).length
        ? rest.length
          ? rest.map(([f, m]) => `${f}: ${m}`).join('; ')
          : null
        : describeError(err)
      setState({ fields: shown, form })
    },
  }
}
