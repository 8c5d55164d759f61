import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { type GivenUser, givenAdmin, givenUser } from './users.ts'

export type TeamRole = 'owner' | 'admin' | 'member' | 'viewer'

export interface GivenTeam {
  id: string
  name: string
  version: number
  etag: string
}

/**
 * Creates a team through the API; `owner` becomes its owner, and each of `members` (existing users)
 * is added with its role, by the owner.
 */
export async function givenTeam(
  app: FastifyInstance,
  owner: GivenUser,
  opts: { name?: string; members?: { user: GivenUser; role: TeamRole }[] } = {},
): Promise<GivenTeam> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/teams',
    headers: owner.auth,
    payload: { name: opts.name ?? 'Test team' },
  })
  expect(res.statusCode, res.body).toBe(201)
  const body = res.json()
  const team = { id: body.id, name: body.name, version: body.version, etag: String(res.headers.etag) }
  for (const { user, role } of opts.members ?? []) await addToTeam(app, team, owner, user, role)
  return team
}

/** Adds an existing user to a team with a role, as `by` (an owner or admin of the team). */
export async function addToTeam(
  app: FastifyInstance,
  team: { id: string },
  by: GivenUser,
  user: GivenUser,
  role: TeamRole,
): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/teams/${team.id}/members`,
    headers: by.auth,
    payload: { userId: user.id, role },
  })
  expect(res.statusCode, res.body).toBe(201)
}

/** Registers a new user and adds them to the team with the given role, through the API. */
export async function givenMember(
  app: FastifyInstance,
  team: { id: string },
  owner: GivenUser,
  role: TeamRole,
  opts: { name?: string } = {},
): Promise<GivenUser> {
  const user = await givenUser(app, { name: opts.name ?? `A ${role}` })
  await addToTeam(app, team, owner, user, role)
  return user
}

export interface TeamWithRoles {
  team: GivenTeam
  owner: GivenUser
  admin: GivenUser
  member: GivenUser
  viewer: GivenUser
  /** a user of another team */
  outsider: GivenUser
  /** the outsider's own (non-personal) team */
  outsiderTeam: GivenTeam
  /** a global admin who is not a member */
  globalAdmin: GivenUser
}

/** A team with one user of every role, an outsider and a global admin: the cast of a role matrix. */
export async function givenTeamWithRoles(app: FastifyInstance, opts: { name?: string } = {}): Promise<TeamWithRoles> {
  const owner = await givenUser(app, { name: 'Owner' })
  const team = await givenTeam(app, owner, opts)
  const [admin, member, viewer, outsider, globalAdmin] = await Promise.all([
    givenMember(app, team, owner, 'admin'),
    givenMember(app, team, owner, 'member'),
    givenMember(app, team, owner, 'viewer'),
    givenUser(app, { name: 'Outsider' }),
    givenAdmin(app),
  ])
  const outsiderTeam = await givenTeam(app, outsider, { name: "Outsider's team" })
  return { team, owner, admin, member, viewer, outsider, outsiderTeam, globalAdmin }
}

export interface GivenProject {
  id: string
  teamId: string
  name: string
  version: number
}

/** Creates a project in a team, as `by` (an admin or owner of the team). */
export async function givenProject(
  app: FastifyInstance,
  team: { id: string },
  by: GivenUser,
  opts: { name?: string; description?: string } = {},
): Promise<GivenProject> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/projects',
    headers: by.auth,
    payload: { teamId: team.id, name: 'Test project', ...opts },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}

export interface GivenTag {
  id: string
  teamId: string
  name: string
  color: string
  version: number
}

let tagCount = 0
/** Creates a tag in a team, as `by` (an admin or owner of the team); names are unique per call. */
export async function givenTag(
  app: FastifyInstance,
  team: { id: string },
  by: GivenUser,
  opts: { name?: string; color?: string } = {},
): Promise<GivenTag> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/tags',
    headers: by.auth,
    payload: { teamId: team.id, name: opts.name ?? `tag-${++tagCount}`, color: opts.color ?? '#3366ff' },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}
