export { eventHubMetrics } from './event-hub.metrics.ts'
export { createEventHub, type EventHub } from './event-hub.ts'
export { toEvent } from './events.queries.ts'
/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { eventsRoutes as routes } from './events.routes.ts'
export { downloadTickets } from './events.service.ts'
