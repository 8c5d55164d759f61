export type { Leaderboard, Metrics } from './dashboard.schema.ts'
export { getLeaderboard, getMetrics } from './dashboard.service.ts'
