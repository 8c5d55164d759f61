import { randomBytes } from 'node:crypto'

/** The ids of what one user owns, by the collection a path names them with (`tasks`, `teams`…). */
export type Ids = Record<string, string[]>

export interface Account {
  id: string
  email: string
  password: string
  token: string
  ids: Ids
}

const PASSWORD = 'fuzz fuzz fuzz fuzz'

async function call(base: URL, token: string | null, method: string, path: string, body?: unknown) {
  const multipart = body instanceof FormData
  const res = await fetch(new URL(`/api/v1${path}`, base), {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined && !multipart ? { 'content-type': 'application/json' } : {}),
    },
    body: multipart ? body : body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

/** Registers an account (through the API, as a client would). */
export async function register(base: URL, tag: string): Promise<Account> {
  const email = `fuzz-${tag}-${randomBytes(4).toString('hex')}@example.test`
  const res = await call(base, null, 'POST', '/auth/register', { email, password: PASSWORD, name: `Fuzz ${tag}` })
  if (res.status !== 201) throw new Error(`registering ${email}: ${res.status} ${JSON.stringify(res.body)}`)
  const user = res.body.user as { id: string }
  return { id: user.id, email, password: PASSWORD, token: res.body.accessToken as string, ids: { users: [user.id] } }
}

/** A new access token for the account (after the fuzzer signed it out, or changed what it had). */
export async function signIn(base: URL, account: Account): Promise<void> {
  const res = await call(base, null, 'POST', '/auth/login', { email: account.email, password: account.password })
  if (res.status !== 200)
    throw new Error(`signing in ${account.email} again: ${res.status} ${JSON.stringify(res.body)}`)
  account.token = res.body.accessToken as string
}

/**
 * One of each object the API has, owned by the account, in a team of its own: what the fuzzer
 * names in paths, queries and bodies (its own, to get past the lookups; another user's, to
 * check they stay invisible). Creations that fail (a webhook URL that does not resolve here) are
 * left out.
 */
export async function furnish(base: URL, account: Account): Promise<void> {
  const ids: Ids = { users: [account.id] }
  const add = (collection: string, id: unknown) => {
    if (typeof id === 'string') ids[collection] = [...(ids[collection] ?? []), id]
  }
  const create = async (collection: string, path: string, body: unknown) => {
    const res = await call(base, account.token, 'POST', path, body)
    if (res.status === 201) add(collection, res.body.id)
    return res.status === 201 ? (res.body.id as string) : undefined
  }
  const team = await create('teams', '/teams', { name: 'Fuzz team' })
  const project = await create('projects', '/projects', { teamId: team, name: 'Fuzz project' })
  const task = await create('tasks', '/tasks', { projectId: project, title: 'Fuzz task' })
  await create('tasks', '/tasks', { projectId: project, title: 'Fuzz subtask', parentId: task })
  await create('comments', `/tasks/${task}/comments`, { body: 'A comment' })
  await create('tags', '/tags', { teamId: team, name: `tag-${randomBytes(3).toString('hex')}`, color: '#3366ff' })
  await create('notes', '/notes', { title: 'A note', body: 'Its body', projectId: project })
  const file = new FormData()
  file.append('file', new Blob(['some text'], { type: 'text/plain' }), 'notes.txt')
  await create('attachments', `/tasks/${task}/attachments`, file)
  await create('webhooks', `/teams/${team}/webhooks`, { url: 'https://example.com/hook', events: ['*'] })
  await create('tokens', '/tokens', { name: 'fuzz', scopes: ['tasks:read'] })
  const invited = await call(base, account.token, 'POST', `/teams/${team}/invitations`, {
    email: `invited-${randomBytes(4).toString('hex')}@example.test`,
    role: 'member',
  })
  add('invitations', (invited.body.invitation as { id?: string } | undefined)?.id ?? invited.body.id)
  account.ids = ids
}

/** Whether the account can still act and its objects are all still there (the fuzzer deletes some). */
export async function intact(base: URL, account: Account): Promise<'ok' | 'signed-out' | 'damaged'> {
  const me = await call(base, account.token, 'GET', '/users/me')
  if (me.status === 401) return 'signed-out'
  for (const collection of ['teams', 'projects', 'tasks', 'comments', 'tags', 'notes', 'attachments', 'webhooks']) {
    for (const id of account.ids[collection] ?? []) {
      const res = await call(base, account.token, 'GET', `/${collection}/${id}`)
      if (res.status !== 200) return 'damaged'
    }
  }
  return 'ok'
}
