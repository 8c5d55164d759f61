export { findApiToken, PAT_PREFIX, touchApiToken } from './tokens.service.ts'
