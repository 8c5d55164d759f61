import { z } from 'zod'
import { Text } from './schemas.ts'

/** GET of a single resource: `If-None-Match` with the ETag the client holds answers 304. */
export const IfNoneMatchHeaders = z.object({
  'if-none-match': Text.max(1000).optional().meta({ description: 'An ETag this API returned: 304 if unchanged' }),
})
export const NotModified = z.null().meta({ description: 'Not modified: If-None-Match named the current ETag' })
