import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { OptionsOf as Options } from '../../http/routes.ts'
import { accountRoutes } from './account.routes.ts'
import { authRoutes } from './auth.routes.ts'
import { emailVerificationRoutes } from './email-verification.routes.ts'
import { ssoRoutes } from './sso.routes.ts'
import { twoFactorRoutes } from './two-factor.routes.ts'

/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export const routes: FastifyPluginAsyncZod<
  Options<typeof authRoutes> &
    Options<typeof accountRoutes> &
    Options<typeof twoFactorRoutes> &
    Options<typeof ssoRoutes> &
    Options<typeof emailVerificationRoutes>
> = async (app, deps) => {
  await app.register(authRoutes, deps)
  await app.register(accountRoutes, deps)
  await app.register(twoFactorRoutes, deps)
  await app.register(ssoRoutes, deps)
  await app.register(emailVerificationRoutes, deps)
}
