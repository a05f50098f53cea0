import { z } from 'zod';
import { TimeZoneSchema } from '../platform/accounts/accounts.model.js';
import { LabelsSchema } from '../platform/resources/resource.js';
import { MatcherError, parseMatcher } from './matchers.js';

/**
 * Configuration-as-code kinds of the alert pipeline: Integration, Receiver, Route (the tree),
 * Silence, InhibitRule, TimeInterval, MaintenanceWindow. One zod schema each: the API, YAML and
 * stored rows share it. Field names are camelCase versions of Alertmanager's where one exists.
 */

export const ResourceNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/,
    'letters, digits, . _ - (starting and ending with a letter or digit)',
  );

const SecretName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/, 'the name of a Secret resource (lowercase letters, digits, . _ -)');

/** A matcher in Alertmanager's text form: `severity="critical"`, `service=~"foo|bar"`. */
export const MatcherStringSchema = z
  .string()
  .min(2)
  .max(1200)
  .superRefine((s, ctx) => {
    try {
      parseMatcher(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof MatcherError ? err.message : 'invalid matcher' });
    }
  });
export const MatchersSchema = z.array(MatcherStringSchema).max(50);

const DURATION_RE = /^(\d+(ms|s|m|h|d|w|y))+$/;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/**
 * The longest duration, as Prometheus (a Go time.Duration: 2^63-1 ns, about 292 years). Without it
 * `99999999y` (3·10^18 ms) passed and put a silence's end past JavaScript's last date: a 500.
 */
export const MAX_DURATION_MS = 9_223_372_036_854;

/** Prometheus duration text (`30s`, `5m`, `1h30m`, `0s`) in milliseconds. */
export function parseDuration(text: string): number {
  if (!DURATION_RE.test(text)) throw new Error(`${JSON.stringify(text)} is not a duration like 30s, 5m, 1h30m`);
  let ms = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) ms += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  if (!(ms <= MAX_DURATION_MS)) throw new Error(`${JSON.stringify(text)} is out of range (at most 292y)`);
  return ms;
}

export const DurationSchema = z
  .string()
  .max(32)
  .regex(DURATION_RE, 'a duration like 30s, 5m, 4h, 1h30m')
  .refine((text) => !DURATION_RE.test(text) || durationInRange(text), {
    message: 'out of range (at most 292y)',
  });

function durationInRange(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Integration: an intake endpoint with a secret key.

export const INTEGRATION_TYPES = ['pagerduty', 'alertmanager', 'opsgenie', 'webhook'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

/** `$.a.b[0].c`: dot names and array indexes. */
export const JsonPathSchema = z
  .string()
  .max(500)
  .regex(/^\$(\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\["[^"\]]+"\])*$/, 'a JSON path like $.status or $.items[0].name');

export const WebhookMappingSchema = z.strictObject({
  /** Where the alert's summary is (required). */
  summary: JsonPathSchema,
  severity: JsonPathSchema.optional(),
  /** Deduplication key; absent means the fingerprint of the labels. */
  dedupKey: JsonPathSchema.optional(),
  /** A field whose value says the alert is over, with the values that mean so. */
  status: JsonPathSchema.optional(),
  resolvedValues: z.array(z.string().max(100)).max(20).default(['resolved', 'ok', 'OK', 'closed']),
  labels: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_./-]{0,62}$/), JsonPathSchema).default({}),
  annotations: z.record(z.string().max(63), JsonPathSchema).default({}),
  /** Where a batch of alerts is, when one POST carries several (each item is mapped with the paths above). */
  items: JsonPathSchema.optional(),
});
export type WebhookMapping = z.infer<typeof WebhookMappingSchema>;

export const IntegrationSpecSchema = z.strictObject({
  type: z.enum(INTEGRATION_TYPES),
  /** A Secret holding the key (e.g. an existing PagerDuty routing key); absent: Mainstay generates one. */
  keySecret: SecretName.optional(),
  /** Added to every alert of this integration (the alert's own labels win). */
  labels: LabelsSchema.default({}),
  /** Events accepted per minute for this key; 0 = unlimited. Over it: 429. */
  rateLimitPerMinute: z.number().int().min(0).max(10_000_000).default(6000),
  /** Generic webhook only: where the fields are in the posted JSON. */
  mapping: WebhookMappingSchema.optional(),
  description: z.string().max(1000).optional(),
});
export type IntegrationSpec = z.infer<typeof IntegrationSpecSchema>;

// ---------------------------------------------------------------------------------------------
// Receiver: where a route's notifications go.

const HeaderName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name');

export const WebhookTargetSchema = z
  .strictObject({
    /** Target URL, or `urlSecret` naming a Secret that holds it. */
    url: z
      .url({ protocol: /^https?$/, message: 'an http:// or https:// URL' })
      .max(2048)
      .optional(),
    urlSecret: SecretName.optional(),
    sendResolved: z.boolean().default(true),
    /** Most alerts per notification; 0 = all (as Alertmanager's max_alerts). */
    maxAlerts: z.number().int().min(0).max(10_000).default(0),
    headers: z.record(HeaderName, z.string().max(4096)).default({}),
    /** Headers whose values are credentials, each from a Secret (`Authorization: receiver-token`). */
    headerSecrets: z.record(HeaderName, SecretName).default({}),
    timeoutSeconds: z.number().int().min(1).max(120).default(10),
  })
  .refine((t) => (t.url === undefined) !== (t.urlSecret === undefined), {
    message: 'give exactly one of url and urlSecret',
    path: ['url'],
  })
  .refine(
    (t) => {
      const plain = new Set(Object.keys(t.headers).map((n) => n.toLowerCase()));
      return !Object.keys(t.headerSecrets).some((n) => plain.has(n.toLowerCase()));
    },
    { message: 'a header is either in headers or in headerSecrets, not both', path: ['headerSecrets'] },
  );

export const SlackTargetSchema = z.strictObject({
  /** A Secret holding the Slack incoming-webhook URL (it is a credential). */
  urlSecret: SecretName,
  channel: z.string().max(200).optional(),
  sendResolved: z.boolean().default(true),
  username: z.string().max(200).optional(),
  timeoutSeconds: z.number().int().min(1).max(120).default(10),
});

export const EmailTargetSchema = z.strictObject({
  to: z.array(z.email().max(254)).min(1).max(50),
  from: z.email().max(254).optional(),
  /** `host:port` of the SMTP server; absent: MAINSTAY_SMTP_URL. */
  smarthost: z
    .string()
    .max(300)
    .regex(/^[^\s:]+:\d{1,5}$/, 'host:port')
    .optional(),
  authUsername: z.string().max(300).optional(),
  authPasswordSecret: SecretName.optional(),
  requireTls: z.boolean().default(false),
  sendResolved: z.boolean().default(false),
});

export const ReceiverSpecSchema = z
  .strictObject({
    webhooks: z.array(WebhookTargetSchema).max(20).default([]),
    slack: z.array(SlackTargetSchema).max(20).default([]),
    email: z.array(EmailTargetSchema).max(20).default([]),
    /** Opens (or updates) an incident per alert group and pages through this escalation policy. */
    escalationPolicy: ResourceNameSchema.optional(),
    description: z.string().max(1000).optional(),
  })
  .describe('A notification target; a receiver with no targets records notifications without sending them');
export type ReceiverSpec = z.infer<typeof ReceiverSpecSchema>;
export type WebhookTarget = z.infer<typeof WebhookTargetSchema>;
export type SlackTarget = z.infer<typeof SlackTargetSchema>;
export type EmailTarget = z.infer<typeof EmailTargetSchema>;

// ---------------------------------------------------------------------------------------------
// Route: the routing tree. The Route resource named `root` is the tree every alert enters.

export const ROOT_ROUTE = 'root';

export interface RouteNodeSpec {
  receiver?: string | undefined;
  matchers: string[];
  continue: boolean;
  groupBy?: string[] | undefined;
  groupWait?: string | undefined;
  groupInterval?: string | undefined;
  repeatInterval?: string | undefined;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  routes: RouteNodeSpec[];
}

const GroupByLabel = z.string().regex(/^(\.\.\.|[A-Za-z_][A-Za-z0-9_./-]{0,62})$/, 'a label name, or ... for all');

export const RouteNodeSchema: z.ZodType<RouteNodeSpec> = z.lazy(() =>
  z.strictObject({
    receiver: ResourceNameSchema.optional(),
    matchers: MatchersSchema.default([]),
    continue: z.boolean().default(false),
    groupBy: z
      .array(GroupByLabel)
      .max(30)
      .refine((g) => !g.includes('...') || g.length === 1, { message: '... must be the only entry' })
      .optional(),
    groupWait: DurationSchema.optional(),
    groupInterval: DurationSchema.optional(),
    repeatInterval: DurationSchema.optional(),
    muteTimeIntervals: z.array(ResourceNameSchema).max(20).default([]),
    activeTimeIntervals: z.array(ResourceNameSchema).max(20).default([]),
    routes: z.array(RouteNodeSchema).max(200).default([]),
  }),
) as z.ZodType<RouteNodeSpec>;

/** The deepest route tree, and the most routes in one tree: routing walks the tree for every alert. */
export const MAX_ROUTE_DEPTH = 64;
export const MAX_ROUTES = 5000;

/**
 * Depth and size of a route tree, walked with an explicit stack: the recursive schema below would
 * overflow the call stack on a document nested a thousand levels deep (found by the apply property
 * tests: a 500), so the tree's shape is checked before it is parsed.
 */
function routeTreeError(tree: unknown): { path: (string | number)[]; message: string } | undefined {
  const stack: { node: unknown; path: (string | number)[] }[] = [{ node: tree, path: [] }];
  let count = 0;
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown; path: (string | number)[] };
    count += 1;
    if (count > MAX_ROUTES) return { path: ['routes'], message: `the tree has more than ${MAX_ROUTES} routes` };
    if (path.length / 2 >= MAX_ROUTE_DEPTH) {
      return { path: path.slice(0, 2), message: `the tree is more than ${MAX_ROUTE_DEPTH} routes deep` };
    }
    const children =
      typeof node === 'object' && node !== null ? Object.getOwnPropertyDescriptor(node, 'routes') : undefined;
    if (Array.isArray(children?.value)) {
      children.value.slice(0, 201).forEach((child: unknown, i: number) => {
        stack.push({ node: child, path: [...path, 'routes', i] });
      });
    }
  }
  return undefined;
}

/** Route documents are trees; only `root` is entered. Defaults as Alertmanager's. */
export const RouteSpecSchema: z.ZodType<RouteNodeSpec> = z
  .unknown()
  .superRefine((tree, ctx) => {
    const err = routeTreeError(tree);
    if (err) ctx.addIssue({ code: 'custom', ...err });
  })
  .pipe(RouteNodeSchema) as unknown as z.ZodType<RouteNodeSpec>;
export type RouteSpec = RouteNodeSpec;

export const ROUTE_DEFAULTS = {
  groupBy: [] as string[],
  groupWait: '30s',
  groupInterval: '5m',
  repeatInterval: '4h',
};

// ---------------------------------------------------------------------------------------------
// Silence, inhibition, time intervals, maintenance.

const Instant = z.iso.datetime({ offset: true, message: 'an ISO 8601 time with offset, e.g. 2026-11-21T10:00:00Z' });

export const SilenceSpecSchema = z
  .strictObject({
    matchers: MatchersSchema.min(1, 'a silence needs at least one matcher'),
    startsAt: Instant,
    endsAt: Instant,
    createdBy: z.string().min(1).max(254),
    comment: z.string().min(1, 'say why').max(2000),
  })
  .refine((s) => Date.parse(s.endsAt) > Date.parse(s.startsAt), {
    message: 'must be after startsAt',
    path: ['endsAt'],
  });
export type SilenceSpec = z.infer<typeof SilenceSpecSchema>;

export const InhibitRuleSpecSchema = z.strictObject({
  sourceMatchers: MatchersSchema.min(1),
  targetMatchers: MatchersSchema.min(1),
  /** Labels that must have equal values in source and target (missing in both counts as equal). */
  equal: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_./-]{0,62}$/))
    .max(30)
    .default([]),
  description: z.string().max(1000).optional(),
});
export type InhibitRuleSpec = z.infer<typeof InhibitRuleSpecSchema>;

const HHMM = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'HH:MM (24 h, 24:00 allowed as an end)');
/** `monday`, `monday:friday` */
const WeekdayRange = z
  .string()
  .regex(
    /^(monday|tuesday|wednesday|thursday|friday|saturday|sunday)(:(monday|tuesday|wednesday|thursday|friday|saturday|sunday))?$/i,
    'a weekday or range like monday:friday',
  );
/** `1`, `1:5`, `-1` (last day), `-3:-1` */
const DayRange = z.string().regex(/^-?\d{1,2}(:-?\d{1,2})?$/, 'a day of month or range like 1:7 or -1');
const MonthRange = z
  .string()
  .regex(
    /^((january|february|march|april|may|june|july|august|september|october|november|december|\d{1,2})(:(january|february|march|april|may|june|july|august|september|october|november|december|\d{1,2}))?)$/i,
    'a month or range like january:march or 1:3',
  );
const YearRange = z.string().regex(/^\d{4}(:\d{4})?$/, 'a year or range like 2026:2027');

export const TimeIntervalEntrySchema = z.strictObject({
  times: z
    .array(z.strictObject({ start: HHMM, end: HHMM }))
    .max(20)
    .default([]),
  weekdays: z.array(WeekdayRange).max(7).default([]),
  daysOfMonth: z.array(DayRange).max(31).default([]),
  months: z.array(MonthRange).max(12).default([]),
  years: z.array(YearRange).max(50).default([]),
});
export type TimeIntervalEntry = z.infer<typeof TimeIntervalEntrySchema>;

/** Alertmanager's time_intervals: the instant is inside when any entry holds (fields of one entry all hold). */
export const TimeIntervalSpecSchema = z.strictObject({
  timeZone: TimeZoneSchema.default('UTC'),
  intervals: z.array(TimeIntervalEntrySchema).min(1).max(50),
});
export type TimeIntervalSpec = z.infer<typeof TimeIntervalSpecSchema>;

/** Wall-clock local time in the window's zone: `2026-12-06T02:00`. */
const LocalDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'a local date and time like 2026-12-06T02:00');

export const MaintenanceWindowSpecSchema = z
  .strictObject({
    timeZone: TimeZoneSchema.default('UTC'),
    /** First (or only) start, wall clock in timeZone. */
    starts: LocalDateTime,
    duration: DurationSchema,
    /** iCalendar RRULE without DTSTART (`FREQ=WEEKLY;BYDAY=SU`); absent: one-off. */
    rrule: z.string().max(500).optional(),
    /** Alerts whose labels match all of these are held. */
    matchers: MatchersSchema.default([]),
    /** Alerts from these checks are held. */
    checks: z.array(z.string().min(1).max(253)).max(500).default([]),
    comment: z.string().max(2000).optional(),
  })
  .refine((w) => w.matchers.length > 0 || w.checks.length > 0, {
    message: 'scope the window by matchers or checks',
    path: ['matchers'],
  });
export type MaintenanceWindowSpec = z.infer<typeof MaintenanceWindowSpecSchema>;
