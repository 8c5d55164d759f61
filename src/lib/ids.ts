import { uuidv7 } from 'uuidv7'

/** A new time-ordered id (UUIDv7), as every resource uses. */
export const newId = (): string => uuidv7()
