import { z } from 'zod'
import { SCOPES } from '../../http/auth.ts'
import { Id, Text, Timestamp } from '../../http/schemas.ts'

const Scope = z.enum(SCOPES).meta({ id: 'Scope', description: 'What a personal access token may do' })
export const ApiToken = z
  .object({
    id: Id,
    name: z.string().max(100),
    scopes: z.array(Scope).max(SCOPES.length),
    expiresAt: Timestamp.nullable(),
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
  })
  .meta({ id: 'ApiToken', description: 'A personal access token (never its secret)' })
export type ApiToken = z.infer<typeof ApiToken>

export const CreatedApiToken = ApiToken.extend({
  secret: z.string().max(200).meta({ description: 'Shown only in this response' }),
}).meta({ id: 'CreatedApiToken', description: 'A new personal access token, with its secret' })

export const CreateApiToken = z
  .strictObject({
    name: Text.trim().min(1).max(100),
    scopes: z.array(Scope).min(1).max(SCOPES.length),
    expiresAt: Timestamp.optional(),
  })
  .meta({ id: 'CreateApiToken', description: 'A new personal access token: its name, scopes and expiry' })
