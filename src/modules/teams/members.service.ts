import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { teamMembers } from '../../db/tables/teams.ts'
import { users } from '../../db/tables/users.ts'
import type { Actor } from '../../http/auth.ts'
import { page } from '../../http/cursor.ts'
import { decodeAfter } from '../../http/keyset.ts'
import { conflict, forbidden, invalidField, notFound } from '../../http/problem.ts'
import { iso } from '../../lib/time.ts'
import { canManageTeam, requireRole, type TeamRole } from '../access/index.ts'
import { keepEntryVisible, recordActivity } from '../activity/index.ts'
import { unassignInTeam } from '../tasks/index.ts'
import { findUserByEmail } from '../users/index.ts'
import type { AddMember, Member } from './teams.schema.ts'

const memberColumns = {
  userId: teamMembers.userId,
  name: users.name,
  email: users.email,
  role: teamMembers.role,
  joinedAt: teamMembers.joinedAt,
}
type MemberRow = { userId: string; name: string; email: string; role: TeamRole; joinedAt: Date }
const toMember = (row: MemberRow): Member => ({ ...row, joinedAt: iso(row.joinedAt) })

async function getMember(db: Db, teamId: string, userId: string): Promise<Member> {
  const [row] = await db
    .select(memberColumns)
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
  if (!row) throw notFound('member', userId)
  return toMember(row)
}

/** The members of a team (any member may list them), in the order they joined. */
export async function listMembers(db: Db, actor: Actor, teamId: string, query: { limit: number; cursor?: string }) {
  await requireRole(db, actor, teamId, 'viewer')
  const after = decodeAfter(query.cursor, ['timestamptz', 'uuid'])
  const rows = await db
    .select(memberColumns)
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(
      and(
        eq(teamMembers.teamId, teamId),
        after
          ? sql`(${teamMembers.joinedAt}, ${teamMembers.userId}) > (${after[0]}::timestamptz, ${after[1]}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(teamMembers.joinedAt), asc(teamMembers.userId))
    .limit(query.limit + 1)
  const result = page(rows, query.limit, (r) => [iso(r.joinedAt), r.userId])
  return { items: result.items.map(toMember), nextCursor: result.nextCursor }
}

/**
 * Locks every membership row of the team for the rest of the transaction, so that two concurrent
 * role changes or removals cannot each leave the other as the last owner and both succeed.
 * Returns the locked roles and the caller's own (null for a non-member). NO KEY UPDATE lets a task
 * write hold a member KEY SHARE as its assignee meanwhile (checkAssignee): only the removed row's
 * delete waits for those, so a removal and an assignment never wait on each other in a cycle.
 */
async function lockMembers(tx: Db, actor: Actor, teamId: string) {
  const rows = await tx
    .select({ userId: teamMembers.userId, role: teamMembers.role })
    .from(teamMembers)
    .where(eq(teamMembers.teamId, teamId))
    .for('no key update')
  const roles = new Map(rows.map((r) => [r.userId, r.role]))
  const owners = rows.filter((r) => r.role === 'owner').length
  return { roles, owners, caller: roles.get(actor.userId) ?? null }
}

const mustManage = (caller: TeamRole | null) => {
  if (!canManageTeam(caller)) throw forbidden('Managing members needs the admin role in the team')
}
const OWNER_ONLY = 'Only an owner can grant the owner role or change another owner'
const KEEP_AN_OWNER = 'A team must keep an owner: make another member owner first'

async function resolveUser(db: Db, input: AddMember) {
  if (input.email !== undefined) {
    const user = await findUserByEmail(db, input.email)
    if (!user)
      throw invalidField(
        'body.email',
        'no registered user has this email: invite it with POST /api/v1/teams/:id/invitations',
      )
    return user
  }
  const [user] = await db.select().from(users).where(eq(users.id, input.userId!))
  if (!user) throw invalidField('body.userId', 'no user has this id')
  return user
}

/** Adds a registered user to the team (admin+; only an owner may add an owner). */
export async function addMember(db: Db, actor: Actor, teamId: string, input: AddMember): Promise<Member> {
  await requireRole(db, actor, teamId, 'admin')
  const user = await resolveUser(db, input)
  return db.transaction(async (tx) => {
    const { roles, caller } = await lockMembers(tx, actor, teamId)
    mustManage(caller)
    if (input.role === 'owner' && caller !== 'owner') throw forbidden(OWNER_ONLY)
    if (roles.has(user.id)) throw conflict('This user is already a member of the team')
    const [row] = await tx
      .insert(teamMembers)
      .values({ teamId, userId: user.id, role: input.role })
      .onConflictDoNothing()
      .returning()
    if (!row) throw conflict('This user is already a member of the team')
    await recordActivity(tx, {
      actorId: actor.userId,
      action: 'member.added',
      entityType: 'member',
      entityId: user.id,
      teamId,
      changes: { role: { from: null, to: input.role } },
    })
    return toMember({ userId: user.id, name: user.name, email: user.email, role: row.role, joinedAt: row.joinedAt })
  })
}

/** Changes a member's role (admin+). Making another member owner is how ownership is transferred. */
export async function updateMember(
  db: Db,
  actor: Actor,
  teamId: string,
  userId: string,
  input: { role: TeamRole },
): Promise<Member> {
  await requireRole(db, actor, teamId, 'viewer')
  return db.transaction(async (tx) => {
    const { roles, owners, caller } = await lockMembers(tx, actor, teamId)
    mustManage(caller)
    const current = roles.get(userId)
    if (!current) throw notFound('member', userId)
    if ((input.role === 'owner' || current === 'owner') && caller !== 'owner') throw forbidden(OWNER_ONLY)
    if (current === input.role) return getMember(tx, teamId, userId)
    if (current === 'owner' && owners === 1) throw conflict(KEEP_AN_OWNER)
    await tx
      .update(teamMembers)
      .set({ role: input.role })
      .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
    await recordActivity(tx, {
      actorId: actor.userId,
      action: 'member.role_changed',
      entityType: 'member',
      entityId: userId,
      teamId,
      changes: { role: { from: current, to: input.role } },
    })
    return getMember(tx, teamId, userId)
  })
}

/**
 * Removes a member (admin+, only an owner removes an owner); any member may leave, unless they are
 * the last owner. Their tasks in the team are unassigned in the same transaction.
 */
export async function removeMember(db: Db, actor: Actor, teamId: string, userId: string): Promise<void> {
  await requireRole(db, actor, teamId, 'viewer')
  await db.transaction(async (tx) => {
    const { roles, owners, caller } = await lockMembers(tx, actor, teamId)
    const leaving = userId === actor.userId
    if (!leaving) mustManage(caller)
    const current = roles.get(userId)
    if (!current) throw notFound('member', userId)
    if (!leaving && current === 'owner' && caller !== 'owner') throw forbidden(OWNER_ONLY)
    if (current === 'owner' && owners === 1) throw conflict(KEEP_AN_OWNER)
    await tx.delete(teamMembers).where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
    await unassignInTeam(tx, actor, teamId, userId)
    const removed = await recordActivity(tx, {
      actorId: actor.userId,
      action: 'member.removed',
      entityType: 'member',
      entityId: userId,
      teamId,
      changes: { role: { from: current, to: null } },
    })
    // the one entry of the team they still see: that they left it, or were removed
    await keepEntryVisible(tx, userId, teamId, removed)
  })
}
