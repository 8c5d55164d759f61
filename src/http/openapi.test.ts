import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { useTestApp } from '../../test/app.ts'

const t = useTestApp({
  routes: (app) => {
    app.get(
      '/test/admin/things/:id',
      {
        schema: {
          tags: ['test'],
          summary: 'An admin read',
          security: [{ bearerAuth: [] }],
          params: z.object({ id: z.uuid() }),
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).optional() }),
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  at: z.iso.datetime(),
                  big: z
                    .number()
                    .int()
                    .min(0)
                    .max(2 ** 40),
                }),
              ),
              nextCursor: z.string().nullable(),
            }),
          },
        },
      },
      async () => ({ items: [], nextCursor: null }),
    )
    app.get(
      '/test/file',
      { schema: { summary: 'Some bytes', response: { 200: z.string().meta({ format: 'binary' }) } } },
      async () => '',
    )
  },
})

const document = async () => (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()

describe('the OpenAPI document', () => {
  it('marks operations without a security requirement as public, explicitly', async () => {
    const doc = await document()
    expect(doc.paths['/health'].get.security).toEqual([{}])
    expect(doc.paths['/health'].get.responses['401']).toBeUndefined()
  })

  it('requires the admin scope on admin paths and documents their 401', async () => {
    const op = (await document()).paths['/test/admin/things/{id}'].get
    expect(op.security).toEqual([{ bearerAuth: ['admin'] }])
    expect(op.responses['401'].content['application/problem+json']).toBeDefined()
    expect(op.responses['401'].headers['WWW-Authenticate']).toBeDefined()
  })

  it('adds the bounds schemas imply: integer formats, format lengths, file sizes, page sizes', async () => {
    const op = (await document()).paths['/test/admin/things/{id}'].get
    const param = (name: string) => op.parameters.find((p: { name: string }) => p.name === name).schema
    expect(param('id')).toMatchObject({ format: 'uuid', maxLength: 36 })
    expect(param('limit')).toMatchObject({ type: 'integer', format: 'int32', minimum: 1, maximum: 100 })
    const page = op.responses['200'].content['application/json'].schema
    expect(page.properties.items.maxItems).toBe(100)
    expect(page.properties.nextCursor.maxLength).toBeGreaterThan(0)
    const item = page.properties.items.items
    expect(item.properties.at).toMatchObject({ format: 'date-time', maxLength: 35 })
    expect(item.properties.big.format).toBe('int64')
    const file = (await document()).paths['/test/file'].get.responses['200'].content['application/json'].schema
    expect(file).toMatchObject({ format: 'binary', maxLength: t.config.MAX_UPLOAD_BYTES })
  })

  it('declares every tag in use and only the components something references', async () => {
    const doc = await document()
    expect(doc.tags).toEqual(
      expect.arrayContaining([{ name: 'test' }, expect.objectContaining({ name: 'operations' })]),
    )
    for (const kind of ['schemas', 'headers']) {
      for (const name of Object.keys(doc.components[kind] ?? {})) {
        const others = { ...doc.components[kind], [name]: undefined }
        const text = JSON.stringify({ ...doc, components: { ...doc.components, [kind]: others } })
        expect(text, `${kind}/${name} is referenced`).toContain(`"#/components/${kind}/${name}"`)
      }
    }
  })

  it('describes every tag its operations use', async () => {
    const tags: { name: string; description?: string }[] = (await document()).tags
    const undescribed = tags.filter((tag) => tag.name !== 'test' && !tag.description).map((tag) => tag.name)
    expect(undescribed).toEqual([])
  })

  it('names its server environment', async () => {
    expect((await document()).servers).toEqual([{ url: '/', description: 'This test server', 'x-internal': false }])
  })
})
