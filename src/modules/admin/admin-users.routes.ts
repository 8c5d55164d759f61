import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import { errors, IdParams, pageOf } from '../../http/schemas.ts'
import type { UserStates } from '../auth/index.ts'
import { GlobalRole, listAllUsers, User, UserSearch } from '../users/index.ts'
import { updateUserAsAdmin } from './admin-users.service.ts'

const tags = ['admin']
export const AdminUser = User.extend({ disabled: z.boolean() }).meta({
  id: 'AdminUser',
  description: 'A user as an administrator sees them',
})
const UpdateUserAsAdmin = z
  .strictObject({ role: GlobalRole.optional(), disabled: z.boolean().optional() })
  .meta({ id: 'AdminUpdateUser', description: 'The new global role, or disabled (signed out everywhere)' })

export const adminUsersRoutes: FastifyPluginAsyncZod<{ database: Database; identity: { states: UserStates } }> = async (
  app,
  { database, identity: { states } },
) => {
  const { db } = database
  const config = { admin: true, scope: 'admin' as const }

  app.get(
    '/admin/users',
    {
      config,
      schema: {
        tags,
        summary: 'Every user, searchable by email or name',
        operationId: 'adminListUsers',
        querystring: UserSearch,
        response: { 200: pageOf(AdminUser), ...errors(403) },
      },
    },
    async (req) => listAllUsers(db, req.query),
  )

  app.patch(
    '/admin/users/:id',
    {
      config,
      schema: {
        tags,
        summary: "Change a user's role or disable them",
        operationId: 'adminUpdateUser',
        params: IdParams,
        body: UpdateUserAsAdmin,
        response: { 200: AdminUser, ...errors(403, 404, 409) },
      },
    },
    async (req) => updateUserAsAdmin(db, states, req.params.id, req.body),
  )
}
