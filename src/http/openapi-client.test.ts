import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/app.ts'
import { given } from '../../test/given.ts'

type Media = { schema?: { $ref?: string; type?: string; [key: string]: unknown } }
type Operation = {
  parameters?: { in: string; name: string; schema: Record<string, unknown>; style?: string; explode?: boolean }[]
  requestBody?: { content: Record<string, Media> }
  responses: Record<string, { description?: string; content?: Record<string, Media> }>
}
type Doc = {
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, Record<string, unknown>> }
}

const t = useTestApp()
const document = async (): Promise<Doc> => (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  )
const ref = (name: string) => `#/components/schemas/${name}`
// bytes and event streams are not JSON: they have no schema to name
const NAMED_MEDIA = ['application/json', 'multipart/form-data']

describe('the OpenAPI document, as a typed client reads it', () => {
  it('names the schema of every request body, resource and list page', async () => {
    const doc = await document()
    const tasks = doc.paths['/api/v1/tasks']!
    expect(tasks.post!.requestBody!.content['application/json']!.schema).toEqual({ $ref: ref('CreateTaskInput') })
    expect(tasks.post!.responses['201']!.content!['application/json']!.schema).toEqual({ $ref: ref('Task') })
    expect(tasks.get!.responses['200']!.content!['application/json']!.schema).toEqual({ $ref: ref('TaskPage') })
    expect(doc.components.schemas.TaskPage).toMatchObject({
      properties: { items: { type: 'array', items: { $ref: ref('Task') } } },
    })

    const inline: string[] = []
    for (const { name, op } of operations(doc)) {
      const media = [
        ...Object.entries(op.requestBody?.content ?? {}).map(([type, m]) => [`${name} body ${type}`, type, m] as const),
        ...Object.entries(op.responses)
          .filter(([status]) => Number(status) < 300)
          .flatMap(([status, r]) =>
            Object.entries(r.content ?? {}).map(([type, m]) => [`${name} ${status} ${type}`, type, m] as const),
          ),
      ]
      for (const [where, type, m] of media) if (NAMED_MEDIA.includes(type) && !m.schema?.$ref) inline.push(where)
    }
    expect(inline, 'give these schemas an id: .meta({ id, description })').toEqual([])
  })

  it('keeps one component per name where a schema reads the same in requests and responses', async () => {
    const { schemas } = (await document()).components
    expect(schemas.TaskStatus).toMatchObject({ enum: ['todo', 'in_progress', 'done', 'cancelled'] })
    expect(schemas.TaskStatusInput).toBeUndefined()
    expect(schemas.CreateTaskInput!.properties).toMatchObject({ status: { $ref: ref('TaskStatus') } })
  })

  it('types the comma-list filters as arrays of their items, sent comma-separated', async () => {
    const params = (await document()).paths['/api/v1/tasks']!.get!.parameters!
    const param = (name: string) => params.find((p) => p.name === name)
    expect(param('status')).toMatchObject({
      style: 'form',
      explode: false,
      schema: { type: 'array', items: { $ref: ref('TaskStatus') }, maxItems: 4 },
    })
    expect(param('priority')).toMatchObject({
      style: 'form',
      explode: false,
      schema: { items: { $ref: ref('TaskPriority') } },
    })
    expect(param('tag')).toMatchObject({ style: 'form', explode: false, schema: { items: { format: 'uuid' } } })
  })

  it('still takes the filters as one comma-separated value, and only so', async () => {
    const user = await given.user(t.app)
    const todo = await given.task(t.app, user, { title: 'Open one' })
    const list = (query: string) => t.app.inject({ method: 'GET', url: `/api/v1/tasks?${query}`, headers: user.auth })

    const res = await list('status=todo,in_progress&priority=medium,high')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().items.map((task: { id: string }) => task.id)).toEqual([todo.id])
    const repeated = await list('status=todo&status=done')
    expect(repeated.statusCode).toBe(400)
    expect(repeated.json().errors).toEqual([expect.objectContaining({ path: 'query.status' })])
    const unknown = await list('status=todo,finished')
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().errors).toEqual([expect.objectContaining({ path: 'query.status.1' })])
  })

  it('types uploaded files as binary', async () => {
    const doc = await document()
    const upload = doc.paths['/api/v1/tasks/{id}/attachments']!.post!.requestBody!.content['multipart/form-data']!
    expect(upload.schema).toEqual({ $ref: ref('FileUploadInput') })
    expect(doc.components.schemas.FileUploadInput).toMatchObject({
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' } },
    })
  })

  it('declares the event stream as text/event-stream', async () => {
    const ok = (await document()).paths['/api/v1/events']!.get!.responses['200']!
    expect(Object.keys(ok.content!)).toEqual(['text/event-stream'])
    expect(ok.content!['text/event-stream']!.schema).toMatchObject({ type: 'string' })
  })

  it('describes every response in its own words', async () => {
    const undescribed: string[] = []
    for (const { name, op } of operations(await document())) {
      for (const [status, res] of Object.entries(op.responses)) {
        if (!res.description || res.description === 'Default Response') undescribed.push(`${name} ${status}`)
      }
    }
    expect(undescribed, 'describe the response schema, or name it with a description').toEqual([])
    const tasks = (await document()).paths['/api/v1/tasks']!
    expect(tasks.post!.responses['201']!.description).toBe('Created: a task, with its tags, assignee and subtask count')
    expect(tasks.get!.responses['200']!.description).toMatch(/^A page of Task items/)
  })
})
