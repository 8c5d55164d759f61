import { useEffect, useState } from 'react'
import { onTrouble, type Trouble } from '../api/http.ts'

const MESSAGES: Record<NonNullable<Trouble>['kind'], string> = {
  offline: 'The server cannot be reached',
  'rate-limited': 'Too many requests: the server asked us to slow down',
  unavailable: 'The server is busy',
}

/** Says, politely, that a request is waiting to be retried and when. */
export function TroubleBanner() {
  const [trouble, setTrouble] = useState<Trouble>(null)
  useEffect(() => onTrouble(setTrouble), [])
  return (
    <div role="status" className={trouble ? 'banner warning' : 'visually-hidden'}>
      {trouble && `${MESSAGES[trouble.kind]}. Retrying in ${Math.ceil(trouble.retryInMs / 1000)} s…`}
    </div>
  )
}
