import { routesOf } from '../../http/routes.ts'
import { invitationsRoutes } from './invitations.routes.ts'
import { membersRoutes } from './members.routes.ts'
import { teamsRoutes } from './teams.routes.ts'

/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export const routes = routesOf(teamsRoutes, membersRoutes, invitationsRoutes)
