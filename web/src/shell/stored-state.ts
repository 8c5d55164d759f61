import { useCallback, useState } from 'react'

/**
 * A string remembered in localStorage across reloads (the chosen team, project, view options);
 * `given` (e.g. from a link) wins over what was remembered, and is remembered from then on.
 */
export function useStoredState(key: string, given?: string | null): [string | null, (value: string | null) => void] {
  const [value, setValue] = useState(() => {
    if (given) localStorage.setItem(key, given)
    return given || localStorage.getItem(key)
  })
  const set = useCallback(
    (next: string | null) => {
      if (next === null) localStorage.removeItem(key)
      else localStorage.setItem(key, next)
      setValue(next)
    },
    [key],
  )
  return [value, set]
}
