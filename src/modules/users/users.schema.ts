import { z } from 'zod'
import { Id, PageQuery, Text, Timestamp } from '../../http/schemas.ts'

export const GlobalRole = z
  .enum(['user', 'admin'])
  .meta({ id: 'GlobalRole', description: 'admin: manages every user and team' })
export const Email = Text.trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be an email address' }))
export const Name = Text.trim().min(1).max(100)
const Notifications = z
  .strictObject({
    assigned: z.boolean().optional(),
    reminders: z.boolean().optional(),
    webhooks: z.boolean().optional(),
    jobs: z.boolean().optional().meta({ description: 'An export, import or report you started has finished' }),
  })
  .meta({ description: 'Email notifications; a kind set to false is not sent' })

export const User = z
  .object({
    id: Id,
    email: z.string().max(254),
    name: z.string().max(100),
    role: GlobalRole,
    emailVerified: z
      .boolean()
      .meta({ description: 'The address was proven by an emailed link (or the identity provider)' }),
    externalId: z.string().max(255).optional(),
    createdAt: Timestamp,
  })
  .meta({ id: 'User', description: 'A user as other users see them' })
export type User = z.infer<typeof User>

export const Me = User.extend({
  disabled: z.boolean(),
  notifications: z.object({ assigned: z.boolean(), reminders: z.boolean(), webhooks: z.boolean(), jobs: z.boolean() }),
}).meta({ id: 'Me', description: 'The caller, with their notification preferences' })
export type Me = z.infer<typeof Me>

export const UpdateMe = z
  .strictObject({ name: Name.optional(), notifications: Notifications.optional() })
  .meta({ id: 'UpdateMe', description: 'JSON Merge Patch of the caller' })
export const ExternalIdParams = z.object({ externalId: Text.min(1).max(255) })
export const UserSearch = PageQuery.extend({ q: Text.trim().max(100).optional() })
