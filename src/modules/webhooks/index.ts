export { instrumentWebhookDeliveries } from './webhooks.jobs.ts'
/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { webhooksRoutes as routes } from './webhooks.routes.ts'
