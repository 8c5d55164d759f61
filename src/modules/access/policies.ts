import type { Actor } from '../../http/auth.ts'
import { atLeast, type TeamRole } from './team-roles.ts'

// Who may do what, by name. Services look up the caller's role in the team (requireRole, which also
// hides what the caller may not see) and ask one of these; none spells a rule out by hand.
// Each is a pure function of the caller, their role (null: not a member) and the resource.

type Caller = Pick<Actor, 'userId'>
type Role = TeamRole | null

/** A member (or above) writes in a team: adds tasks, comments and files. Viewers only read. */
export const canWriteIn = (role: Role): boolean => role !== null && atLeast(role, 'member')

/** A team admin (or owner) manages the team: its members, and what others wrote in it. */
export const canManageTeam = (role: Role): boolean => role !== null && atLeast(role, 'admin')

/** Only its author, while still allowed to write in the team, edits a comment. */
export const canEditComment = (actor: Caller, role: Role, comment: { authorId: string | null }): boolean =>
  comment.authorId === actor.userId && canWriteIn(role)

/** Its author (still a member) or a team admin deletes a comment. */
export const canDeleteComment = (actor: Caller, role: Role, comment: { authorId: string | null }): boolean =>
  canEditComment(actor, role, comment) || canManageTeam(role)

/** Its uploader (still a member) or a team admin replaces or deletes an attachment. */
export const canManageAttachment = (actor: Caller, role: Role, file: { uploadedBy: string | null }): boolean =>
  (file.uploadedBy === actor.userId && canWriteIn(role)) || canManageTeam(role)

export type NoteChange = 'edit' | 'unshare' | 'delete'

/**
 * Its owner changes a note while it is personal, or while they hold the member role in the team it
 * is shared with (a note whose author left that team stays shared, frozen); an admin of that team
 * may unshare or delete it, never edit it.
 */
export const canChangeNote = (
  actor: Caller,
  role: Role,
  note: { ownerId: string; shared: boolean },
  change: NoteChange,
): boolean =>
  note.ownerId === actor.userId ? !note.shared || canWriteIn(role) : change !== 'edit' && canManageTeam(role)
