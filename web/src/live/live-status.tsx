import { useLiveState } from './live-state.ts'

const TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' }

/** Whether changes made elsewhere show up on their own right now. */
export function LiveStatus() {
  const state = useLiveState()
  return (
    <p className={`live-status live-${state}`} role="status" data-live={state}>
      <span aria-hidden="true" className="dot" /> {TEXT[state]}
    </p>
  )
}
