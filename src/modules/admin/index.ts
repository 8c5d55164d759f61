export { routes } from './admin.module.ts'
