import { Cron } from 'croner';
import { z } from 'zod';
import { TimeZoneSchema } from '../platform/accounts/accounts.model.js';
import { LabelsSchema } from '../platform/resources/resource.js';
import { compileSearchRegex } from './probes/json-path.js';

/**
 * Check specs: one zod schema per kind, the single source for the API, YAML
 * (`kind: Check`), the stored row and the probes. Secrets are never inline: a
 * spec names a `Secret` resource (`passwordSecret: db-password`).
 */

export const CHECK_KINDS = ['http', 'tcp', 'dns', 'tls', 'icmp', 'heartbeat', 'sql', 'ssh'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export const MIN_INTERVAL_SECONDS = 5;

const SecretName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/, 'the name of a Secret resource (lowercase letters, digits, . _ -)');

/** A hostname or IP literal, without scheme or port. */
export const HostSchema = z
  .string()
  .min(1)
  .max(253)
  .refine(
    (h) =>
      /^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/.test(
        h,
      ) || /^\[?[0-9A-Fa-f:.]+\]?$/.test(h),
    { message: 'not a hostname or IP address' },
  );

const PortSchema = z.number().int().min(1).max(65535);

/**
 * A regular expression in RE2 syntax (as Go and Alertmanager use): checks evaluate it with RE2,
 * whose time is linear in the text, so no response can make a pattern backtrack for minutes.
 */
export const RegexSchema = z
  .string()
  .min(1)
  .max(1000)
  .refine((p) => compileSearchRegex(p) !== undefined, {
    message: 'not a valid RE2 regular expression (no backreferences such as \\1 or lookarounds such as (?=…))',
  });

/** `$.a.b[0].c` — the JSONPath subset the JSON assertions support (dot names and array indexes). */
export const JsonPathSchema = z
  .string()
  .max(500)
  .regex(/^\$(\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\["[^"\]]+"\])*$/, 'a JSON path like $.status or $.items[0].name');

export const JsonAssertionSchema = z.strictObject({
  path: JsonPathSchema,
  op: z.enum(['==', '!=', '<', '<=', '>', '>=', 'contains', 'matches', 'exists', 'not_exists']),
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
});
export type JsonAssertion = z.infer<typeof JsonAssertionSchema>;

/** `200`, `"2xx"` or `"200-299"`. */
export const StatusExpectationSchema = z.union([
  z.number().int().min(100).max(599),
  z.string().regex(/^[1-5]xx$|^[1-5]\d\d-[1-5]\d\d$/, 'a status like 200, "2xx" or "200-299"'),
]);

export const CertThresholdsSchema = z.strictObject({
  warnDays: z.number().int().min(0).max(3650).default(14),
  criticalDays: z.number().int().min(0).max(3650).default(7),
});

export const HttpSpecSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, message: 'an http:// or https:// URL' }).max(2048),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
  headers: z
    .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name'), z.string().max(8192))
    .default({}),
  body: z
    .string()
    .max(1024 * 1024)
    .optional(),
  auth: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('basic'), username: z.string().max(256), passwordSecret: SecretName }),
      z.strictObject({ type: z.literal('bearer'), tokenSecret: SecretName }),
    ])
    .optional(),
  followRedirects: z.boolean().default(true),
  maxRedirects: z.number().int().min(0).max(20).default(5),
  tls: z
    .strictObject({
      verify: z.boolean().default(true),
      /** PEM bundle of extra trusted CAs. */
      ca: z
        .string()
        .max(256 * 1024)
        .optional(),
    })
    .default({ verify: true }),
  expectStatus: z.array(StatusExpectationSchema).min(1).default(['200-299']),
  bodyContains: z.array(z.string().min(1).max(1000)).default([]),
  bodyNotContains: z.array(z.string().min(1).max(1000)).default([]),
  bodyRegex: RegexSchema.optional(),
  json: z.array(JsonAssertionSchema).default([]),
  maxResponseMs: z.number().int().min(1).max(600_000).optional(),
  /** The most body bytes read; the rest is not downloaded. */
  maxBodyBytes: z
    .number()
    .int()
    .min(0)
    .max(10 * 1024 * 1024)
    .default(64 * 1024),
  certificate: CertThresholdsSchema.default({ warnDays: 14, criticalDays: 7 }),
});
export type HttpSpec = z.infer<typeof HttpSpecSchema>;

export const TcpSpecSchema = z.strictObject({
  host: HostSchema,
  port: PortSchema,
  /** Text sent after connecting (escape sequences \r \n \t are not interpreted: send them literally in YAML). */
  send: z
    .string()
    .max(64 * 1024)
    .optional(),
  /** The reply (or the banner when nothing is sent) must contain this. */
  expect: z
    .string()
    .max(64 * 1024)
    .optional(),
  tls: z.boolean().default(false),
});
export type TcpSpec = z.infer<typeof TcpSpecSchema>;

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SOA', 'SRV'] as const;
export const DNS_RCODES = ['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED'] as const;

export const DnsSpecSchema = z.strictObject({
  name: HostSchema,
  recordType: z.enum(DNS_RECORD_TYPES).default('A'),
  /** `host` or `host:port`; the system resolver when absent. */
  resolver: z
    .string()
    .max(300)
    .regex(
      /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/,
      'a resolver address like 127.0.0.1, 127.0.0.1:5353 or [::1]:53',
    )
    .optional(),
  /** Every expected value must be in the answer (A: an address, MX: "10 mail.example.com", TXT: the text…). */
  expect: z.array(z.string().min(1).max(1000)).default([]),
  expectRcode: z.enum(DNS_RCODES).default('NOERROR'),
});
export type DnsSpec = z.infer<typeof DnsSpecSchema>;

export const TlsSpecSchema = z.strictObject({
  host: HostSchema,
  port: PortSchema.default(443),
  /** SNI and the name the certificate must match; the host when absent. */
  serverName: HostSchema.optional(),
  ca: z
    .string()
    .max(256 * 1024)
    .optional(),
  certificate: CertThresholdsSchema.default({ warnDays: 14, criticalDays: 7 }),
});
export type TlsSpec = z.infer<typeof TlsSpecSchema>;

export const IcmpSpecSchema = z.strictObject({
  host: HostSchema,
  count: z.number().int().min(1).max(20).default(3),
  /** Loss above this percentage is down. */
  maxLossPercent: z.number().min(0).max(100).default(0),
  /** Average RTT above this is down. */
  maxRttMs: z.number().min(0).max(60_000).optional(),
});
export type IcmpSpec = z.infer<typeof IcmpSpecSchema>;

function cronFires(expr: string, tz: string | undefined): boolean {
  try {
    return new Cron(expr, { timezone: tz ?? 'UTC', paused: true }).nextRun() !== null;
  } catch {
    return false;
  }
}

export const HeartbeatSpecSchema = z
  .strictObject({
    /** Expect a ping every `periodSeconds`… */
    periodSeconds: z
      .number()
      .int()
      .min(MIN_INTERVAL_SECONDS)
      .max(366 * 86400)
      .optional(),
    /** …or at the times of a cron expression in `timeZone`. */
    cron: z.string().max(200).optional(),
    timeZone: TimeZoneSchema.default('UTC'),
    /** How late a ping may be before the check is down. */
    graceSeconds: z
      .number()
      .int()
      .min(0)
      .max(366 * 86400)
      .default(60),
    /** A run that started but did not finish within this is down (0: no limit). */
    maxRunSeconds: z
      .number()
      .int()
      .min(0)
      .max(366 * 86400)
      .default(0),
  })
  .superRefine((s, ctx) => {
    if ((s.periodSeconds === undefined) === (s.cron === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['periodSeconds'], message: 'set exactly one of periodSeconds and cron' });
    }
    if (s.cron !== undefined && !cronFires(s.cron, s.timeZone)) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'not a cron expression that ever fires' });
    }
  });
export type HeartbeatSpec = z.infer<typeof HeartbeatSpecSchema>;

export const SqlSpecSchema = z
  .strictObject({
    driver: z.enum(['postgres', 'mysql']),
    /**
     * A Secret holding the whole connection URL (postgres://user:pass@host:5432/db,
     * mysql://user:pass@host:3306/db); it replaces host, port, database, username and password.
     */
    connectionSecret: SecretName.optional(),
    host: HostSchema.optional(),
    port: PortSchema.optional(),
    database: z.string().min(1).max(128).optional(),
    username: z.string().min(1).max(128).optional(),
    passwordSecret: SecretName.optional(),
    tls: z.boolean().default(false),
    query: z
      .string()
      .min(1)
      .max(64 * 1024),
    /** Expect exactly this many rows… */
    expectRows: z.number().int().min(0).optional(),
    /** …and/or compare the first column of the first row. */
    expectValue: z
      .strictObject({
        op: z.enum(['==', '!=', '<', '<=', '>', '>=']),
        value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
      })
      .optional(),
  })
  .superRefine((s, ctx) => {
    if (s.connectionSecret) return;
    for (const field of ['host', 'database', 'username'] as const) {
      if (!s[field])
        ctx.addIssue({ code: 'custom', path: [field], message: 'required unless connectionSecret is set' });
    }
  });
export type SqlSpec = z.infer<typeof SqlSpecSchema>;

export const SshSpecSchema = z
  .strictObject({
    host: HostSchema,
    port: PortSchema.default(22),
    username: z.string().min(1).max(128),
    passwordSecret: SecretName.optional(),
    privateKeySecret: SecretName.optional(),
    /** Pinned host key, `SHA256:<base64>` as ssh-keygen -lf prints it. Required: no trust on first use. */
    hostKey: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'a host key fingerprint like SHA256:…'),
    command: z.string().min(1).max(8192),
    expectExitCode: z.number().int().min(0).max(255).default(0),
    stdoutContains: z.string().max(8192).optional(),
    stdoutRegex: RegexSchema.optional(),
    stderrContains: z.string().max(8192).optional(),
  })
  .superRefine((s, ctx) => {
    if (!s.passwordSecret && !s.privateKeySecret) {
      ctx.addIssue({ code: 'custom', path: ['passwordSecret'], message: 'set passwordSecret or privateKeySecret' });
    }
  });
export type SshSpec = z.infer<typeof SshSpecSchema>;

export const KIND_SPECS = {
  http: HttpSpecSchema,
  tcp: TcpSpecSchema,
  dns: DnsSpecSchema,
  tls: TlsSpecSchema,
  icmp: IcmpSpecSchema,
  heartbeat: HeartbeatSpecSchema,
  sql: SqlSpecSchema,
  ssh: SshSpecSchema,
} as const;

export type KindSpec<K extends CheckKind> = z.infer<(typeof KIND_SPECS)[K]>;

/** Everything a check has besides its kind-specific target settings. */
const CommonFields = {
  description: z.string().max(4000).default(''),
  runbookUrl: z.url().max(2048).optional(),
  intervalSeconds: z
    .number()
    .int()
    .min(MIN_INTERVAL_SECONDS, `must be at least ${MIN_INTERVAL_SECONDS}`)
    .max(86400)
    .default(60),
  timeoutSeconds: z.number().min(0.1).max(300).default(10),
  /** Failed results in a row before the check is down (confirmation). */
  retries: z.number().int().min(0).max(20).default(0),
  /** Good results in a row before a down check is up again. */
  recoveryThreshold: z.number().int().min(1).max(20).default(1),
  enabled: z.boolean().default(true),
  /** Names of checks this one depends on; the alert pipeline suppresses this check while one is down. */
  dependsOn: z.array(z.string().min(1).max(253)).max(50).default([]),
  severity: z.enum(['critical', 'error', 'warning', 'info']).default('critical'),
  /** Flap detection thresholds in percent state change over the last 21 results (Nagios). */
  flapping: z
    .strictObject({ low: z.number().min(0).max(100).default(20), high: z.number().min(0).max(100).default(30) })
    .default({ low: 20, high: 30 }),
};

export const CheckNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/,
    'lowercase letters, digits, . _ -; starting and ending with a letter or digit',
  );

function variants<E extends z.ZodRawShape>(extra: E) {
  const v = <K extends CheckKind>(kind: K) =>
    z.strictObject({ ...extra, kind: z.literal(kind), ...CommonFields, target: KIND_SPECS[kind] });
  return [v('http'), v('tcp'), v('dns'), v('tls'), v('icmp'), v('heartbeat'), v('sql'), v('ssh')] as const;
}

const kindError = {
  error: (issue: { code?: string }) =>
    issue.code === 'invalid_union' ? `kind must be one of ${CHECK_KINDS.join(', ')}` : undefined,
};

function refineSpec(
  s: { kind: CheckKind; timeoutSeconds: number; intervalSeconds: number; flapping: { low: number; high: number } },
  ctx: z.RefinementCtx,
) {
  if (s.kind !== 'heartbeat' && s.timeoutSeconds >= s.intervalSeconds) {
    ctx.addIssue({ code: 'custom', path: ['timeoutSeconds'], message: 'must be shorter than intervalSeconds' });
  }
  if (s.flapping.low > s.flapping.high) {
    ctx.addIssue({ code: 'custom', path: ['flapping', 'low'], message: 'must not exceed flapping.high' });
  }
}

/**
 * `spec` of a `Check` resource. `target` holds the kind-specific settings.
 */
export const CheckSpecSchema = z.discriminatedUnion('kind', variants({}), kindError).superRefine(refineSpec);

/** The body of POST/PUT /api/v1/checks: the spec plus name and labels, with the same field paths. */
export const CheckBodySchema = z
  .discriminatedUnion('kind', variants({ name: CheckNameSchema, labels: LabelsSchema.default({}) }), kindError)
  .superRefine(refineSpec);
export type CheckSpec = z.infer<typeof CheckSpecSchema>;

export const CheckStatusSchema = z.enum(['up', 'down', 'pending', 'paused']);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

export { LabelsSchema };
