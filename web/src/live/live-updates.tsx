import { useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { applyEffects } from './apply-effects.ts'
import { effectsOf } from './event-effects.ts'
import { followEvents } from './event-stream.ts'
import { setLiveState } from './live-state.ts'

/** Keeps the cache in step with the event stream while someone is signed in. */
export function LiveUpdates() {
  const queryClient = useQueryClient()
  useEffect(() => {
    let stop: (() => void) | undefined
    // the first screen's requests go first (the embedded database answers one statement at a time)
    const start = setTimeout(() => {
      stop = followEvents({
        onEvents: (events) => void applyEffects(queryClient, effectsOf(events)),
        onState: setLiveState,
      })
    }, 300)
    return () => {
      clearTimeout(start)
      stop?.()
    }
  }, [queryClient])
  return null
}
