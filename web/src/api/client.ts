import createClient from 'openapi-fetch'
import { apiFetch } from './http.ts'
import type { paths } from './schema'

/** The typed client of the API: every call the app makes goes through it (or apiFetch for uploads). */
// list filters are one comma list (`status=todo,done`), as the document says (style form, explode false)
export const api = createClient<paths>({
  baseUrl: '',
  fetch: apiFetch,
  querySerializer: { array: { style: 'form', explode: false } },
})
