import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { clientSchema, SCHEMA_FILE } from '../../../scripts/web-schema.ts'
import { useTestApp } from '../../../test/app.ts'

const t = useTestApp()

describe('the web app client types', () => {
  // an API change that the committed types do not reflect would break the app unseen: regenerate
  // with `npm run web:schema` and let the type check show what the app must follow
  it('match the document the server serves (npm run web:schema regenerates them)', async () => {
    const served = (await t.app.inject({ url: '/openapi.json' })).json()
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await clientSchema(served))
  })
})
