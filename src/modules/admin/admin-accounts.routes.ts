import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Config } from '../../config.ts'
import type { Database } from '../../db/client.ts'
import { writesOf } from '../../http/idempotency.ts'
import { Accepted, accepted, errors, IdParams } from '../../http/schemas.ts'
import type { Identity } from '../auth/index.ts'
import { Password } from '../auth/index.ts'
import { Email, GlobalRole, Name } from '../users/index.ts'
import { type AdminAccountDeps, createUserAsAdmin, sendPasswordLink } from './admin-accounts.service.ts'
import { AdminUser } from './admin-users.routes.ts'

const tags = ['admin']
const CreateUserAsAdmin = z
  .strictObject({
    email: Email,
    name: Name,
    role: GlobalRole.default('user'),
    emailVerified: z.boolean().default(false).meta({ description: 'Vouch for the address (no verification email)' }),
    password: Password.optional().meta({
      description: 'Omit it to email the person a link to choose their own (valid 72 hours)',
    }),
  })
  .meta({ id: 'CreateUserAsAdmin', description: 'A new account, with a password or a link to choose one' })

/** Accounts made and repaired by an administrator, whatever REGISTRATION says. */
export const adminAccountsRoutes: FastifyPluginAsyncZod<{
  database: Database
  queue: AdminAccountDeps['queue']
  identity: Pick<Identity, 'userCreated'>
  config: Pick<Config, 'EMAIL_VERIFICATION'>
}> = async (app, { database, queue, identity, config: settings }) => {
  const all: AdminAccountDeps = {
    db: database.db,
    queue,
    userCreated: identity.userCreated,
    verification: settings.EMAIL_VERIFICATION,
  }
  const config = { admin: true, scope: 'admin' as const }

  app.post(
    '/admin/users',
    {
      config: { ...config, idempotent: true },
      schema: {
        tags,
        summary: 'Create a user (with a password, or emailed a link to choose one)',
        operationId: 'adminCreateUser',
        body: CreateUserAsAdmin,
        response: { 201: AdminUser, ...errors(403, 409) },
      },
    },
    // no Location: a user has no admin GET route of its own
    async (req, reply) =>
      reply.code(201).send(await createUserAsAdmin({ ...all, db: writesOf(req, all.db) }, req.body)),
  )

  app.post(
    '/admin/users/:id/password-reset',
    {
      config,
      schema: {
        tags,
        summary: 'Email a user a link to set a new password (72 hours, single use)',
        operationId: 'adminSendPasswordLink',
        params: IdParams,
        response: { 202: Accepted, ...errors(403, 404, 409) },
      },
    },
    async (req, reply) => {
      await sendPasswordLink(all, req.params.id)
      return accepted(reply)
    },
  )
}
