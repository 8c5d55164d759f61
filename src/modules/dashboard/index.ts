/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { dashboardRoutes as routes } from './dashboard.routes.ts'
export type { Leaderboard, Metrics } from './dashboard.schema.ts'
export { getLeaderboard, getMetrics } from './dashboard.service.ts'
