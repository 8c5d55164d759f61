/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { tokensRoutes as routes } from './tokens.routes.ts'
export { findApiToken, PAT_PREFIX, touchApiToken } from './tokens.service.ts'
