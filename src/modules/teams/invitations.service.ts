import { and, asc, eq, getTableColumns, gt, isNull, lte, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { serverError, UNIQUE_VIOLATION } from '../../db/errors.ts'
import { type TeamInvitationRow, teamInvitations } from '../../db/tables/team-invitations.ts'
import { teamMembers, teams } from '../../db/tables/teams.ts'
import { users } from '../../db/tables/users.ts'
import type { Actor } from '../../http/auth.ts'
import { page } from '../../http/cursor.ts'
import { decodeAfter } from '../../http/keyset.ts'
import { conflict, forbidden, invalidField, notFound } from '../../http/problem.ts'
import type { Queue } from '../../infra/queue.ts'
import { sha256 } from '../../lib/crypto.ts'
import { newId } from '../../lib/ids.ts'
import { iso, isoOrNull } from '../../lib/time.ts'
import { requireRole, type TeamRole } from '../access/index.ts'
import { recordActivity } from '../activity/index.ts'
import { findUserByEmail } from '../users/index.ts'
import type { Invitation } from './invitations.schema.ts'
import { addMember } from './members.service.ts'

export const INVITATION_EMAIL_JOB = 'teams.invitation-email'
const INVITATION_TTL_MS = 7 * 24 * 3600_000
const OWNER_ONLY = 'Only an owner can invite an owner'

export interface InvitationDeps {
  db: Db
  queue: Pick<Queue, 'send'>
}

const open = () => and(isNull(teamInvitations.acceptedAt), isNull(teamInvitations.revokedAt))
const inviterName = sql<
  string | null
>`(select ${users.name} from ${users} where ${users.id} = ${teamInvitations.invitedBy})`

function toInvitation(row: TeamInvitationRow & { inviterName: string | null }): Invitation {
  return {
    id: row.id,
    teamId: row.teamId,
    email: row.email,
    role: row.role,
    status: row.expiresAt.getTime() > Date.now() ? 'pending' : 'expired',
    invitedBy: row.invitedBy && row.inviterName ? { id: row.invitedBy, name: row.inviterName } : null,
    expiresAt: iso(row.expiresAt),
    sentAt: isoOrNull(row.sentAt),
    createdAt: iso(row.createdAt),
  }
}

async function getOpenInvitation(db: Db, teamId: string, invitationId: string) {
  const [row] = await db
    .select({ ...getTableColumns(teamInvitations), inviterName })
    .from(teamInvitations)
    .where(and(eq(teamInvitations.id, invitationId), eq(teamInvitations.teamId, teamId), open()))
  if (!row) throw notFound('invitation', invitationId)
  return row
}

/**
 * Invites an address into a team (admin+; only an owner invites an owner). An address that already
 * has an account is added as a member at once, as `POST /teams/:id/members` does; otherwise an open
 * invitation is made and its email queued in the same transaction. An expired open invitation of the
 * same address gives way to the new one; a live one is a 409 (resend it instead).
 */
export async function inviteToTeam(
  { db, queue }: InvitationDeps,
  actor: Actor,
  teamId: string,
  input: { email: string; role: TeamRole },
) {
  const callerRole = await requireRole(db, actor, teamId, 'admin')
  if (input.role === 'owner' && callerRole !== 'owner') throw forbidden(OWNER_ONLY)
  if (await findUserByEmail(db, input.email)) {
    return { outcome: 'added' as const, member: await addMember(db, actor, teamId, input) }
  }
  const row = await db.transaction(async (tx) => {
    const now = new Date()
    const sameAddress = and(
      eq(teamInvitations.teamId, teamId),
      sql`lower(${teamInvitations.email}) = ${input.email}`,
      open(),
    )
    await tx
      .update(teamInvitations)
      .set({ revokedAt: now })
      .where(and(sameAddress, lte(teamInvitations.expiresAt, now)))
    let inserted: TeamInvitationRow
    try {
      ;[inserted] = (await tx
        .insert(teamInvitations)
        .values({
          id: newId(),
          teamId,
          email: input.email,
          role: input.role,
          invitedBy: actor.userId,
          expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
        })
        .returning()) as [TeamInvitationRow]
    } catch (err) {
      if (serverError(err)?.code === UNIQUE_VIOLATION) {
        throw conflict('This address already has an open invitation to the team: resend it')
      }
      throw err
    }
    await queue.send(INVITATION_EMAIL_JOB, { invitationId: inserted.id }, { tx })
    const [me] = await tx.select({ name: users.name }).from(users).where(eq(users.id, actor.userId))
    return { ...inserted, inviterName: me?.name ?? null }
  })
  return { outcome: 'invited' as const, invitation: toInvitation(row) }
}

/** The team's open invitations (admin+), oldest first, expired ones included. */
export async function listInvitations(db: Db, actor: Actor, teamId: string, query: { limit: number; cursor?: string }) {
  await requireRole(db, actor, teamId, 'admin')
  const after = decodeAfter(query.cursor, ['timestamptz', 'uuid'])
  const rows = await db
    .select({ ...getTableColumns(teamInvitations), inviterName })
    .from(teamInvitations)
    .where(
      and(
        eq(teamInvitations.teamId, teamId),
        open(),
        after
          ? sql`(${teamInvitations.createdAt}, ${teamInvitations.id}) > (${after[0]}::timestamptz, ${after[1]}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(teamInvitations.createdAt), asc(teamInvitations.id))
    .limit(query.limit + 1)
  const result = page(rows, query.limit, (r) => [iso(r.createdAt), r.id])
  return { items: result.items.map(toInvitation), nextCursor: result.nextCursor }
}

/** Sends an open invitation again, valid 7 days from now; the older link stops working at once. */
export async function resendInvitation(
  { db, queue }: InvitationDeps,
  actor: Actor,
  teamId: string,
  invitationId: string,
) {
  await requireRole(db, actor, teamId, 'admin')
  const row = await db.transaction(async (tx) => {
    const current = await getOpenInvitation(tx, teamId, invitationId)
    const [updated] = await tx
      .update(teamInvitations)
      .set({ expiresAt: new Date(Date.now() + INVITATION_TTL_MS), tokenHash: null, sentAt: null })
      .where(and(eq(teamInvitations.id, invitationId), open()))
      .returning()
    if (!updated) throw notFound('invitation', invitationId)
    await queue.send(INVITATION_EMAIL_JOB, { invitationId }, { tx })
    return { ...updated, inviterName: current.inviterName }
  })
  return toInvitation(row)
}

/** Revokes an open invitation: its link stops working. */
export async function revokeInvitation(db: Db, actor: Actor, teamId: string, invitationId: string) {
  await requireRole(db, actor, teamId, 'admin')
  const [row] = await db
    .update(teamInvitations)
    .set({ revokedAt: new Date() })
    .where(and(eq(teamInvitations.id, invitationId), eq(teamInvitations.teamId, teamId), open()))
    .returning({ id: teamInvitations.id })
  if (!row) throw notFound('invitation', invitationId)
}

const live = (token: string) =>
  and(eq(teamInvitations.tokenHash, sha256(token)), open(), gt(teamInvitations.expiresAt, new Date()))

/** Whether an address has a live invitation (under REGISTRATION=invite, single sign-on may then create its account). */
export async function hasLiveInvitation(db: Db, email: string): Promise<boolean> {
  const [row] = await db
    .select({ id: teamInvitations.id })
    .from(teamInvitations)
    .where(and(eq(teamInvitations.email, email.toLowerCase()), open(), gt(teamInvitations.expiresAt, new Date())))
    .limit(1)
  return !!row
}

/** What a live invitation link offers (its page shows it before sign-in); 404 for any other token. */
export async function previewInvitation(db: Db, token: string) {
  const [row] = await db
    .select({
      teamName: teams.name,
      email: teamInvitations.email,
      role: teamInvitations.role,
      invitedBy: inviterName,
      expiresAt: teamInvitations.expiresAt,
    })
    .from(teamInvitations)
    .innerJoin(teams, eq(teams.id, teamInvitations.teamId))
    .where(live(token))
  if (!row) throw notFound('invitation')
  return { ...row, expiresAt: iso(row.expiresAt) }
}

/**
 * Spends a live invitation for `user` and makes them a member (one who already is keeps their role).
 * Run inside the caller's transaction: registration rolls the new account back with a bad token.
 * With `sameEmail`, the account's address must be the invited one (`body.email` otherwise).
 */
export async function claimInvitation(
  tx: Db,
  token: string,
  user: { id: string; email: string },
  opts: { path: string; sameEmail: boolean },
) {
  const [inv] = await tx
    .update(teamInvitations)
    .set({ acceptedAt: new Date(), acceptedBy: user.id })
    .where(live(token))
    .returning()
  if (!inv) throw invalidField(opts.path, 'is invalid, used, revoked or expired')
  if (opts.sameEmail && inv.email !== user.email.toLowerCase()) {
    throw invalidField('body.email', 'must be the address the invitation was sent to')
  }
  // the link went to the invited address: an account of that address has proven it
  if (inv.email === user.email.toLowerCase()) {
    await tx.update(users).set({ emailVerified: true }).where(eq(users.id, user.id))
  }
  await joinByInvitation(tx, inv, user.id)
  const [team] = await tx
    .select({ name: teams.name, role: teamMembers.role })
    .from(teams)
    .innerJoin(teamMembers, and(eq(teamMembers.teamId, teams.id), eq(teamMembers.userId, user.id)))
    .where(eq(teams.id, inv.teamId))
  return { teamId: inv.teamId, teamName: team!.name, role: team!.role, email: inv.email }
}

/** Makes the user a member with the invitation's role (one who already is keeps their role). */
async function joinByInvitation(tx: Db, inv: TeamInvitationRow, userId: string) {
  const [joined] = await tx
    .insert(teamMembers)
    .values({ teamId: inv.teamId, userId, role: inv.role })
    .onConflictDoNothing()
    .returning()
  if (joined) {
    await recordActivity(tx, {
      actorId: userId,
      action: 'member.added',
      entityType: 'member',
      entityId: userId,
      teamId: inv.teamId,
      changes: { role: { from: null, to: inv.role } },
    })
  }
}

/**
 * Spends every live invitation of a new account's address and makes it a member of each team, when
 * an identity provider vouches for the address (single sign-on, a bearer token): that proves the
 * address as opening the link would. Run in the transaction that creates the account.
 */
export async function claimInvitationsOf(tx: Db, user: { id: string; email: string }) {
  const spent = await tx
    .update(teamInvitations)
    .set({ acceptedAt: new Date(), acceptedBy: user.id })
    .where(and(eq(teamInvitations.email, user.email.toLowerCase()), open(), gt(teamInvitations.expiresAt, new Date())))
    .returning()
  for (const inv of spent) await joinByInvitation(tx, inv, user.id)
}

/** Accepts an invitation as the signed-in caller (any account: the link is what was sent). */
export async function acceptInvitation(db: Db, actor: Actor, token: string) {
  return db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, actor.userId))
    if (!user) throw notFound('user', actor.userId)
    const { email: _, ...joined } = await claimInvitation(tx, token, user, { path: 'body.token', sameEmail: false })
    return joined
  })
}
