export {
  canChangeNote,
  canDeleteComment,
  canEditComment,
  canManageAttachment,
  canManageTeam,
  canWriteIn,
  type NoteChange,
} from './policies.ts'
export { requireRoleInBody } from './team-in-body.ts'
export { requireRole, TEAM_ROLES, type TeamRole, teamRoleOf, visibleTo } from './team-roles.ts'
export { requireVisibleProject } from './visible-project.ts'
