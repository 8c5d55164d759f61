import { routesOf } from '../../http/routes.ts'
import { accountRoutes } from './account.routes.ts'
import { authRoutes } from './auth.routes.ts'
import { emailVerificationRoutes } from './email-verification.routes.ts'
import { ssoRoutes } from './sso.routes.ts'
import { twoFactorRoutes } from './two-factor.routes.ts'

/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export const routes = routesOf(authRoutes, accountRoutes, twoFactorRoutes, ssoRoutes, emailVerificationRoutes)
