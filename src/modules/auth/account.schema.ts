import { z } from 'zod'
import { Text } from '../../http/schemas.ts'
import { Email } from '../users/index.ts'
import { Password } from './auth.schema.ts'

/** A single-use secret from an emailed link. */
export const LinkToken = Text.min(16).max(200).meta({ description: 'The token from the emailed link' })

export const AuthSettings = z
  .object({
    emailVerification: z.enum(['required', 'optional', 'off']).meta({
      description: 'required: an unverified address cannot sign in; optional: it can; off: no verification emails',
    }),
    registration: z.enum(['open', 'invite', 'closed']).meta({
      description:
        'open: anyone may register; invite: only with an invitation; closed: only administrators create accounts',
    }),
    sso: z
      .object({
        name: z.string().max(60).meta({ description: 'The provider, for a "Sign in with <name>" button' }),
        loginUrl: z.string().max(100).meta({ description: 'Where the browser goes to start it' }),
      })
      .nullable()
      .meta({ description: 'Browser single sign-on (OIDC), when configured' }),
  })
  .meta({ id: 'AuthSettings', description: 'How people sign up and sign in here (for the sign-in page)' })

export const PasswordResetRequest = z
  .strictObject({ email: Email })
  .meta({ id: 'PasswordResetRequest', description: 'The address to send a reset link to' })
export const PasswordResetConfirm = z
  .strictObject({ token: LinkToken, password: Password })
  .meta({ id: 'PasswordResetConfirm', description: 'The token of a reset link and the new password' })
