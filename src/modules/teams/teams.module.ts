import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { OptionsOf as Options } from '../../http/routes.ts'
import { invitationsRoutes } from './invitations.routes.ts'
import { membersRoutes } from './members.routes.ts'
import { teamsRoutes } from './teams.routes.ts'

/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export const routes: FastifyPluginAsyncZod<
  Options<typeof teamsRoutes> & Options<typeof membersRoutes> & Options<typeof invitationsRoutes>
> = async (app, deps) => {
  await app.register(teamsRoutes, deps)
  await app.register(membersRoutes, deps)
  await app.register(invitationsRoutes, deps)
}
