import { z } from 'zod'
import { Id, PageQuery, Text, Timestamp } from '../../http/schemas.ts'
import { Email } from '../users/index.ts'
import { Member, TeamRole } from './teams.schema.ts'

const InvitationToken = Text.min(16).max(200).meta({ description: "The token from the invitation's link" })

export const Invitation = z
  .object({
    id: Id,
    teamId: Id,
    email: z.string().max(254),
    role: TeamRole,
    status: z.enum(['pending', 'expired']).meta({ description: 'pending until expiresAt, then expired (resend it)' }),
    invitedBy: z.object({ id: Id, name: z.string().max(100) }).nullable(),
    expiresAt: Timestamp,
    sentAt: Timestamp.nullable().meta({ description: 'When the last email went out; null while it is queued' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'Invitation', description: 'An open invitation of an email address into a team' })
export type Invitation = z.infer<typeof Invitation>

export const CreateInvitation = z
  .strictObject({ email: Email, role: TeamRole })
  .meta({ id: 'CreateInvitation', description: 'The address to invite and the role it will have' })

export const InvitationResult = z
  .discriminatedUnion('outcome', [
    z.object({ outcome: z.literal('invited'), invitation: Invitation }),
    z.object({ outcome: z.literal('added'), member: Member }),
  ])
  .meta({
    id: 'InvitationResult',
    description: 'invited: an email with a link went out; added: the address had an account, now a member',
  })

export const InvitationParams = z.object({ id: Id, invitationId: Id })
export const InvitationListQuery = PageQuery

export const InvitationTokenBody = z
  .strictObject({ token: InvitationToken })
  .meta({ id: 'InvitationTokenBody', description: 'The token of an invitation link' })

export const InvitationPreview = z
  .object({
    teamName: z.string().max(200),
    email: z.string().max(254),
    role: TeamRole,
    invitedBy: z.string().max(100).nullable(),
    expiresAt: Timestamp,
  })
  .meta({ id: 'InvitationPreview', description: 'What an invitation link offers, for its page' })

export const AcceptedInvitation = z
  .object({ teamId: Id, teamName: z.string().max(200), role: TeamRole })
  .meta({ id: 'AcceptedInvitation', description: 'The team joined, and the role in it' })
