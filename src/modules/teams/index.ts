export { claimInvitation, claimInvitationsOf, hasLiveInvitation } from './invitations.service.ts'
export { createPersonalTeam } from './personal-team.ts'
export { routes } from './teams.module.ts'
