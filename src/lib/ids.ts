import { uuidv7 } from 'uuidv7'

/** A new time-ordered id (UUIDv7), as every resource uses. */
export const newId = (): string => uuidv7()

// a client-sent request id is echoed only when it is short and plain (no log or header injection)
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/

/** The id a request is logged and answered under: the client's `X-Request-Id` when sane, a new one otherwise. */
export const requestIdOf = (given: string | string[] | undefined): string =>
  typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : uuidv7()
