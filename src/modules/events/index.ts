export { toEvent } from './events.queries.ts'
