export { claimInvitation, hasLiveInvitation } from './invitations.service.ts'
