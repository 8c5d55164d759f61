import { useSyncExternalStore } from 'react'
import type { LiveState } from './event-stream.ts'

let state: LiveState = 'connecting'
const listeners = new Set<() => void>()

export function setLiveState(next: LiveState) {
  state = next
  for (const listener of listeners) listener()
}

export const useLiveState = () =>
  useSyncExternalStore(
    (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    () => state,
  )
