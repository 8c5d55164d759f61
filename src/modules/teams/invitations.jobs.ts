import { and, eq, gt, isNull } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { teamInvitations } from '../../db/tables/team-invitations.ts'
import { teams } from '../../db/tables/teams.ts'
import { users } from '../../db/tables/users.ts'
import { composeMail, deliverMail } from '../../infra/mail-compose.ts'
import type { Mailer, MailMessage } from '../../infra/mailer.ts'
import type { JobDefinition } from '../../infra/queue.ts'
import { randomSecret, sha256 } from '../../lib/crypto.ts'
import { INVITATION_EMAIL_JOB } from './invitations.service.ts'

/** The web app's page for an invitation link. */
const ACCEPT_INVITATION_ROUTE = '/invitations/accept'

function invitationMail(
  to: string,
  invite: { teamName: string; role: string; inviter: string | null; expiresAt: Date },
  token: string,
  base: string,
): MailMessage {
  const who = invite.inviter ?? 'Someone'
  return composeMail(
    to,
    `${who} invited you to ${invite.teamName} on Tasklane`,
    [
      `${who} invited you to join the team “${invite.teamName}” on Tasklane as ${invite.role === 'admin' || invite.role === 'owner' ? 'an' : 'a'} ${invite.role}.`,
      `The link works once, until ${invite.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC: create your account with it, or sign in and accept.`,
    ],
    { url: `${base}${ACCEPT_INVITATION_ROUTE}?token=${encodeURIComponent(token)}`, label: 'Accept the invitation' },
    'If you did not expect this invitation, ignore this email: nothing happens unless the link is used.',
  )
}

/**
 * Sends an invitation's email. Its link's secret is made here, right before sending, so the queue
 * never holds it; each run makes a new one (a resend or a retry), and the previous link stops working.
 */
export function invitationJobs(deps: {
  db: Db
  mailer: Mailer
  baseUrl: string
  onEmail?: (outcome: 'sent' | 'failed') => void
}): JobDefinition<never>[] {
  const { db } = deps
  const send: JobDefinition<{ invitationId: string }> = {
    name: INVITATION_EMAIL_JOB,
    retryLimit: 3,
    retryDelaySeconds: 10,
    handle: async ({ invitationId }, ctx) => {
      const token = randomSecret()
      const open = and(
        eq(teamInvitations.id, invitationId),
        isNull(teamInvitations.acceptedAt),
        isNull(teamInvitations.revokedAt),
        gt(teamInvitations.expiresAt, new Date()),
      )
      const [inv] = await db
        .update(teamInvitations)
        .set({ tokenHash: sha256(token), sentAt: new Date() })
        .where(open)
        .returning()
      if (!inv) return { outcome: 'skipped', reason: 'invitation accepted, revoked or expired' }
      const [team] = await db.select({ name: teams.name }).from(teams).where(eq(teams.id, inv.teamId))
      const [inviter] = inv.invitedBy
        ? await db.select({ name: users.name }).from(users).where(eq(users.id, inv.invitedBy))
        : []
      const message = invitationMail(
        inv.email,
        { teamName: team?.name ?? 'a team', role: inv.role, inviter: inviter?.name ?? null, expiresAt: inv.expiresAt },
        token,
        deps.baseUrl,
      )
      return deliverMail(deps.mailer, message, ctx.log, 'invitation', { onEmail: deps.onEmail, secret: true })
    },
  }
  return [send] as JobDefinition<never>[]
}
