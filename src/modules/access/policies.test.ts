import { describe, expect, it } from 'vitest'
import {
  canChangeNote,
  canDeleteComment,
  canEditComment,
  canManageAttachment,
  canManageTeam,
  canWriteIn,
  type NoteChange,
} from './policies.ts'
import type { TeamRole } from './team-roles.ts'

const me = { userId: 'me' }
const roles: (TeamRole | null)[] = ['owner', 'admin', 'member', 'viewer', null]
const mine = { authorId: 'me', uploadedBy: 'me', ownerId: 'me' }
const theirs = { authorId: 'them', uploadedBy: 'them', ownerId: 'them' }
const gone = { authorId: null, uploadedBy: null, ownerId: 'them' } // its author's account was deleted

// one row a role: what each policy answers for the caller's own resource and for another's
const table: Record<string, Record<string, boolean[]>> = {
  //                                  owner  admin  member viewer none
  canWriteIn: { any: [true, true, true, false, false] },
  canManageTeam: { any: [true, true, false, false, false] },
  canEditComment: { own: [true, true, true, false, false], other: [false, false, false, false, false] },
  canDeleteComment: { own: [true, true, true, false, false], other: [true, true, false, false, false] },
  canManageAttachment: { own: [true, true, true, false, false], other: [true, true, false, false, false] },
}

describe('access policies', () => {
  it.each(roles.map((role, i) => [role ?? 'not a member', role, i] as const))('as %s', (_, role, i) => {
    const answers = {
      canWriteIn: { any: canWriteIn(role) },
      canManageTeam: { any: canManageTeam(role) },
      canEditComment: { own: canEditComment(me, role, mine), other: canEditComment(me, role, theirs) },
      canDeleteComment: { own: canDeleteComment(me, role, mine), other: canDeleteComment(me, role, theirs) },
      canManageAttachment: { own: canManageAttachment(me, role, mine), other: canManageAttachment(me, role, theirs) },
    }
    const expected = Object.fromEntries(
      Object.entries(table).map(([policy, cases]) => [
        policy,
        Object.fromEntries(Object.entries(cases).map(([which, row]) => [which, row[i]])),
      ]),
    )
    expect(answers).toEqual(expected)
  })

  it('gives a deleted author’s comment and file to the team admins only', () => {
    expect(roles.map((role) => canDeleteComment(me, role, gone))).toEqual([true, true, false, false, false])
    expect(roles.map((role) => canEditComment(me, role, gone))).toEqual([false, false, false, false, false])
    expect(roles.map((role) => canManageAttachment(me, role, gone))).toEqual([true, true, false, false, false])
  })

  // [whose, shared with a team, change] → owner, admin, member, viewer, not a member
  const notes: [string, boolean, NoteChange, boolean[]][] = [
    ['own', false, 'edit', [true, true, true, true, true]],
    ['own', false, 'delete', [true, true, true, true, true]],
    ['own', true, 'edit', [true, true, true, false, false]],
    ['own', true, 'unshare', [true, true, true, false, false]],
    ['own', true, 'delete', [true, true, true, false, false]],
    ['other', true, 'edit', [false, false, false, false, false]],
    ['other', true, 'unshare', [true, true, false, false, false]],
    ['other', true, 'delete', [true, true, false, false, false]],
  ]
  it.each(notes)('canChangeNote: %s note, shared %s, %s', (whose, shared, change, expected) => {
    const note = { ownerId: whose === 'own' ? 'me' : 'them', shared }
    expect(roles.map((role) => canChangeNote(me, role, note, change))).toEqual(expected)
  })
})
