import { useCallback, useState } from 'react'

/** A string remembered in localStorage across reloads (the chosen team, project, view options). */
export function useStoredState(key: string): [string | null, (value: string | null) => void] {
  const [value, setValue] = useState(() => localStorage.getItem(key))
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
