import { z } from 'zod';
import { SlugSchema } from '../platform/accounts/accounts.model.js';

/**
 * Channel: one way of reaching people (a webhook, a Slack or Teams incoming webhook, email, ntfy,
 * Telegram, Twilio SMS or voice). Credentials are never stored in the spec, only the names of Secrets
 * whose values are revealed at send time. A channel may carry a default address (email `to`, ntfy
 * `topic`, Telegram `chatId`, SMS/voice `to`); a user's contact method gives the per-person one.
 */

const SecretName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'the name of a Secret (lowercase letters, digits and dashes)');

const HttpUrl = z.url({ protocol: /^https?$/, message: 'an http:// or https:// URL' }).max(2048);
const HeaderName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name');
const TimeoutSeconds = z.number().int().min(1).max(120).default(10);

/** ITU-T E.164: a plus, then 8 to 15 digits, the first not 0 (Twilio's `To`/`From` format). */
const E164_RE = /^\+[1-9][0-9]{7,14}$/;
/** A numeric chat id (groups and channels are negative) or a public `@channelusername`. */
const TELEGRAM_CHAT_RE = /^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/;
/** ntfy topic names (server/util.go `topicRegex`). */
const NTFY_TOPIC_RE = /^[-_A-Za-z0-9]{1,64}$/;

const E164 = z.string().regex(E164_RE, 'an E.164 phone number like +14155550100');
const Email = z.email().max(254);

/** Fields every channel type has. */
const common = {
  /** The team that owns the channel; absent: global. */
  team: SlugSchema.optional(),
  description: z.string().max(1000).optional(),
};

/** Whether a header name is in both maps (names compare case-insensitively). */
export function sharedHeader(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const names = new Set(Object.keys(a).map((n) => n.toLowerCase()));
  return Object.keys(b).some((n) => names.has(n.toLowerCase()));
}

const WebhookChannel = z
  .strictObject({
    type: z.literal('webhook'),
    ...common,
    /** Target URL, or `urlSecret` naming a Secret that holds it (when the URL is a credential). */
    url: HttpUrl.optional(),
    urlSecret: SecretName.optional(),
    /** A Secret whose value keys the HMAC in X-Mainstay-Signature. */
    signingSecret: SecretName.optional(),
    headers: z.record(HeaderName, z.string().max(4096)).default({}),
    /** Headers whose values are credentials, each from a Secret (`Authorization: receiver-token`). */
    headerSecrets: z.record(HeaderName, SecretName).default({}),
    timeoutSeconds: TimeoutSeconds,
  })
  .refine((c) => (c.url === undefined) !== (c.urlSecret === undefined), {
    message: 'give exactly one of url and urlSecret',
    path: ['url'],
  })
  .refine((c) => !sharedHeader(c.headers, c.headerSecrets), {
    message: 'a header is either in headers or in headerSecrets, not both',
    path: ['headerSecrets'],
  });

const SlackChannel = z.strictObject({
  type: z.literal('slack'),
  ...common,
  /** A Secret holding the incoming-webhook URL (the URL is the credential). */
  urlSecret: SecretName,
  timeoutSeconds: TimeoutSeconds,
});

const TeamsChannel = z.strictObject({
  type: z.literal('teams'),
  ...common,
  /** A Secret holding the Teams incoming-webhook or Workflows URL (the URL is the credential). */
  urlSecret: SecretName,
  timeoutSeconds: TimeoutSeconds,
});

const EmailChannel = z.strictObject({
  type: z.literal('email'),
  ...common,
  /** `host:port` of the SMTP server; absent: MAINSTAY_SMTP_URL. */
  smarthost: z
    .string()
    .max(300)
    .regex(/^[^\s:]+:\d{1,5}$/, 'host:port')
    .optional(),
  from: Email.optional(),
  authUsername: z.string().max(300).optional(),
  authPasswordSecret: SecretName.optional(),
  requireTls: z.boolean().default(false),
  /** Default recipients, for pages to the channel rather than to a person. */
  to: z.array(Email).max(50).default([]),
});

const NtfyChannel = z.strictObject({
  type: z.literal('ntfy'),
  ...common,
  baseUrl: HttpUrl.default('https://ntfy.sh'),
  topic: z.string().regex(NTFY_TOPIC_RE, 'an ntfy topic: letters, digits, - and _, up to 64').optional(),
  /** A Secret holding an ntfy access token, for protected topics. */
  tokenSecret: SecretName.optional(),
  timeoutSeconds: TimeoutSeconds,
});

const TelegramChannel = z.strictObject({
  type: z.literal('telegram'),
  ...common,
  baseUrl: HttpUrl.default('https://api.telegram.org'),
  botTokenSecret: SecretName,
  chatId: z.string().regex(TELEGRAM_CHAT_RE, 'a numeric chat id or @channelusername').optional(),
  timeoutSeconds: TimeoutSeconds,
});

/** Twilio's Messages and Calls APIs share the account, credentials and numbers. */
const twilio = {
  ...common,
  baseUrl: HttpUrl.default('https://api.twilio.com'),
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'a Twilio Account SID (AC and 32 hex digits)'),
  authTokenSecret: SecretName,
  from: E164,
  to: E164.optional(),
  timeoutSeconds: TimeoutSeconds,
};
const SmsChannel = z.strictObject({ type: z.literal('sms'), ...twilio });
const VoiceChannel = z.strictObject({ type: z.literal('voice'), ...twilio });

export const ChannelSpecSchema = z
  .discriminatedUnion('type', [
    WebhookChannel,
    SlackChannel,
    TeamsChannel,
    EmailChannel,
    NtfyChannel,
    TelegramChannel,
    SmsChannel,
    VoiceChannel,
  ])
  .describe('A way of notifying people: webhook, slack, teams, email, ntfy, telegram, sms or voice');
export type ChannelSpec = z.infer<typeof ChannelSpecSchema>;
export type ChannelType = ChannelSpec['type'];

/**
 * Validates a contact address (a user's contact method) for this channel type: an error message, or
 * undefined when it is fine. Webhook, Slack and Teams have no per-user address, so any is an error.
 */
export function addressError(spec: ChannelSpec, address: string | undefined): string | undefined {
  const given = address !== undefined && address !== '';
  switch (spec.type) {
    case 'webhook':
    case 'slack':
    case 'teams':
      return given ? `a ${spec.type} channel has no per-user address; leave it empty` : undefined;
    case 'email':
      if (!given) return 'an email address is required';
      return Email.safeParse(address).success ? undefined : 'not an email address';
    case 'sms':
    case 'voice':
      if (!given) return 'a phone number is required';
      return E164_RE.test(address)
        ? undefined
        : 'not an E.164 phone number (a + and 8 to 15 digits, like +14155550100)';
    case 'telegram':
      if (!given) return 'a Telegram chat id is required';
      return TELEGRAM_CHAT_RE.test(address) ? undefined : 'not a Telegram chat id (a number, or @channelusername)';
    case 'ntfy':
      if (!given) return 'an ntfy topic is required';
      return NTFY_TOPIC_RE.test(address) ? undefined : 'not an ntfy topic (letters, digits, - and _, up to 64)';
  }
}

/** True when the channel can send without a per-user address. */
export function hasDefaultAddress(spec: ChannelSpec): boolean {
  switch (spec.type) {
    case 'webhook':
    case 'slack':
    case 'teams':
      return true;
    case 'email':
      return spec.to.length > 0;
    case 'ntfy':
      return spec.topic !== undefined;
    case 'telegram':
      return spec.chatId !== undefined;
    case 'sms':
    case 'voice':
      return spec.to !== undefined;
  }
}
