import { z } from 'zod';
import { LabelsSchema } from '../resources/resource.js';
import { PASSWORD_RULES } from './passwords.js';
import { RoleSchema } from './roles.js';

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const TimeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, { message: 'not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)' });

export const EmailSchema = z
  .email({ message: 'not an email address' })
  .max(254)
  .transform((e) => e.toLowerCase());

export const PasswordSchema = z
  .string()
  .min(PASSWORD_RULES.min, `must be at least ${PASSWORD_RULES.min} characters`)
  .max(PASSWORD_RULES.max);

export const NameSchema = z.string().trim().min(1, 'must not be empty').max(200);

/** Team names are slugs: they appear in YAML, URLs and label values. */
export const SlugSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'lowercase letters, digits and dashes, not starting or ending with a dash');

const Timestamp = z.iso.datetime();

export const UserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  timeZone: z.string(),
  role: RoleSchema.nullable(),
  disabled: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastLoginAt: Timestamp.nullable(),
  labels: z.record(z.string(), z.string()),
  teams: z.array(z.object({ id: z.string(), name: z.string(), role: RoleSchema })),
});
export type User = z.infer<typeof UserSchema>;

export const CreateUserSchema = z.strictObject({
  email: EmailSchema,
  name: NameSchema,
  timeZone: TimeZoneSchema.default('UTC'),
  role: RoleSchema.nullable().optional(),
  password: PasswordSchema.optional(),
  labels: LabelsSchema.optional(),
});
export type CreateUser = z.infer<typeof CreateUserSchema>;

export const UpdateUserSchema = z.strictObject({
  name: NameSchema.optional(),
  timeZone: TimeZoneSchema.optional(),
  role: RoleSchema.nullable().optional(),
  disabled: z.boolean().optional(),
  labels: LabelsSchema.optional(),
});
export type UpdateUser = z.infer<typeof UpdateUserSchema>;

export const UpdateMeSchema = z.strictObject({ name: NameSchema.optional(), timeZone: TimeZoneSchema.optional() });

export const TeamSchema = z.object({
  id: z.string(),
  name: z.string(),
  displayName: z.string(),
  description: z.string(),
  memberCount: z.number().int(),
  labels: z.record(z.string(), z.string()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Team = z.infer<typeof TeamSchema>;

export const CreateTeamSchema = z.strictObject({
  name: SlugSchema,
  displayName: z.string().trim().max(200).optional(),
  description: z.string().max(2000).optional(),
  labels: LabelsSchema.optional(),
});
export const UpdateTeamSchema = z.strictObject({
  displayName: z.string().trim().max(200).optional(),
  description: z.string().max(2000).optional(),
  labels: LabelsSchema.optional(),
});

export const TeamMemberSchema = z.object({ userId: z.string(), email: z.string(), name: z.string(), role: RoleSchema });
export type TeamMember = z.infer<typeof TeamMemberSchema>;

export const ApiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scope: RoleSchema,
  userId: z.string(),
  userEmail: z.string(),
  createdAt: Timestamp,
  expiresAt: Timestamp.nullable(),
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;

export const CreateTokenSchema = z.strictObject({
  name: NameSchema,
  scope: RoleSchema.default('viewer'),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateToken = z.infer<typeof CreateTokenSchema>;

export const CreatedTokenSchema = z.object({ token: z.string(), apiToken: ApiTokenSchema });

export const LoginSchema = z.strictObject({ email: EmailSchema, password: z.string().min(1).max(PASSWORD_RULES.max) });
export const PasswordTokenSchema = LoginSchema.extend({
  name: NameSchema.default('cli'),
  scope: RoleSchema.optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export const SessionSchema = z.object({ user: UserSchema, csrfToken: z.string().nullable() });
export const ChangePasswordSchema = z.strictObject({ currentPassword: z.string().min(1), newPassword: PasswordSchema });
export const SetPasswordSchema = z.strictObject({ password: PasswordSchema });
export const IdParams = z.object({ id: z.string().min(1).max(64) });
