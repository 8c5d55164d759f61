import { routesOf } from '../../http/routes.ts'
import { adminAccountsRoutes } from './admin-accounts.routes.ts'
import { adminTasksRoutes } from './admin-tasks.routes.ts'
import { adminUsersRoutes } from './admin-users.routes.ts'

/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export const routes = routesOf(adminUsersRoutes, adminAccountsRoutes, adminTasksRoutes)
