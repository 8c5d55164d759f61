import { z } from 'zod'
import { Id, PageQuery, Text, Timestamp, Version } from '../../http/schemas.ts'
import { TEAM_ROLES } from '../access/index.ts'
import { Email } from '../users/index.ts'

export const TeamRole = z.enum(TEAM_ROLES).meta({
  id: 'TeamRole',
  description: 'owner > admin > member > viewer: viewers read, members write tasks, admins manage',
})
const TeamName = Text.trim().min(1).max(100)

export const Team = z
  .object({
    id: Id,
    name: z.string().max(200),
    personal: z.boolean().meta({ description: "The user's personal team made at registration; it cannot be deleted" }),
    role: TeamRole.nullable().meta({
      description:
        "The caller's role in the team; null for a global admin who is not a member. The team's ETag covers it as well as the version",
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    version: Version,
  })
  .meta({ id: 'Team', description: 'A team: everything (projects, tasks, tags) belongs to one' })
export type Team = z.infer<typeof Team>

export const CreateTeam = z
  .strictObject({ name: TeamName })
  .meta({ id: 'CreateTeam', description: 'A new team, owned by the caller' })
export const UpdateTeam = z
  .strictObject({ name: TeamName.optional() })
  .meta({ id: 'UpdateTeam', description: 'JSON Merge Patch of a team' })
export const TeamListQuery = PageQuery

export const Member = z
  .object({
    userId: Id,
    name: z.string().max(200),
    email: z.string().max(254),
    role: TeamRole,
    joinedAt: Timestamp,
  })
  .meta({ id: 'TeamMember', description: "A user's membership of a team" })
export type Member = z.infer<typeof Member>

export const AddMember = z
  .strictObject({
    email: Email.optional().meta({ description: 'The email of a registered user (or give userId)' }),
    userId: Id.optional().meta({ description: 'The id of a registered user (or give email)' }),
    role: TeamRole,
  })
  .superRefine((v, ctx) => {
    if ((v.email === undefined) === (v.userId === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'give exactly one of email or userId' })
    }
  })
  .meta({ id: 'AddMember', description: 'Exactly one of email or userId, and the role to give' })
export type AddMember = z.infer<typeof AddMember>
export const UpdateMember = z.strictObject({ role: TeamRole }).meta({ id: 'UpdateMember', description: 'The new role' })
export const MemberParams = z.object({ id: Id, userId: Id })
export const MemberListQuery = PageQuery
