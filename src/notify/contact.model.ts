import { z } from 'zod';

/** A person's ways to be reached, and the order in which they are used when they are paged. */

export const ContactNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, _ and -, starting with a letter or digit');

export const ContactMethodInputSchema = z.strictObject({
  name: ContactNameSchema,
  /** The Channel that carries it (an SMS provider, the SMTP server, the ntfy server…). */
  channel: z.string().min(1).max(253),
  /** Phone number, email address, chat id, topic…; absent for channels without a per-person address. */
  address: z.string().trim().min(1).max(320).optional(),
});
export type ContactMethodInput = z.infer<typeof ContactMethodInputSchema>;

export const ContactMethodSchema = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  channel: z.string(),
  channelType: z.string().nullable(),
  address: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type ContactMethod = z.infer<typeof ContactMethodSchema>;

export const NotificationRuleInputSchema = z.strictObject({
  /** Incidents of this urgency use the rule; `any` for both. */
  urgency: z.enum(['high', 'low', 'any']).default('any'),
  /** Minutes after the person is paged; the rule is skipped once they acknowledge. */
  delayMinutes: z.number().int().min(0).max(1440).default(0),
  /** Name or id of one of the person's contact methods. */
  contactMethod: z.string().min(1).max(63),
});
export type NotificationRuleInput = z.infer<typeof NotificationRuleInputSchema>;

export const NotificationRuleSchema = z.object({
  id: z.string(),
  urgency: z.enum(['high', 'low', 'any']),
  delayMinutes: z.number().int(),
  contactMethodId: z.string(),
  contactMethod: z.string(),
});
export type NotificationRule = z.infer<typeof NotificationRuleSchema>;

export const DeliverySchema = z.object({
  id: z.string(),
  incidentId: z.string().nullable(),
  userId: z.string().nullable(),
  channel: z.string(),
  channelType: z.string(),
  /** The address with its middle masked (+49•••••67, a•••@example.com). */
  address: z.string().nullable(),
  event: z.string(),
  urgency: z.enum(['high', 'low']),
  lane: z.enum(['page', 'normal']),
  status: z.enum(['scheduled', 'retrying', 'delivered', 'failed', 'cancelled']),
  runAt: z.iso.datetime(),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastLatencyMs: z.number().int().nullable(),
  lastError: z.string().nullable(),
  receipts: z.array(
    z.object({
      at: z.iso.datetime(),
      attempt: z.number().int(),
      ok: z.boolean(),
      statusCode: z.number().int().optional(),
      latencyMs: z.number().int(),
      error: z.string().optional(),
      response: z.string().optional(),
      final: z.boolean(),
    }),
  ),
  createdAt: z.iso.datetime(),
  deliveredAt: z.iso.datetime().nullable(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export function maskAddress(address: string | null | undefined): string | null {
  if (!address) return null;
  const at = address.indexOf('@');
  if (at > 0) return `${address[0]}•••${address.slice(at)}`;
  if (address.length <= 4) return address;
  return `${address.slice(0, 3)}${'•'.repeat(Math.max(1, address.length - 5))}${address.slice(-2)}`;
}
