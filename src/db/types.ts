import { customType } from 'drizzle-orm/pg-core'

export const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })
/** A transaction id (PostgreSQL xid8): orders activity rows by commit visibility, not by id. */
export const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' })
