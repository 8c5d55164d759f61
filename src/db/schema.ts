// Every table of the application, re-exported from its module (drizzle-kit reads this file).
export { sessions } from '../modules/auth/sessions.table.ts'
export { apiTokens } from '../modules/tokens/tokens.table.ts'
export { users } from '../modules/users/users.table.ts'
