import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { OptionsOf as Options } from '../../http/routes.ts'
import { adminAccountsRoutes } from './admin-accounts.routes.ts'
import { adminTasksRoutes } from './admin-tasks.routes.ts'
import { adminUsersRoutes } from './admin-users.routes.ts'

/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export const routes: FastifyPluginAsyncZod<
  Options<typeof adminUsersRoutes> & Options<typeof adminAccountsRoutes> & Options<typeof adminTasksRoutes>
> = async (app, deps) => {
  await app.register(adminUsersRoutes, deps)
  await app.register(adminAccountsRoutes, deps)
  await app.register(adminTasksRoutes, deps)
}
