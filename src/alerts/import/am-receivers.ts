import type { z } from 'zod';
import { EmailTargetSchema, SlackTargetSchema, WebhookTargetSchema } from '../config.model.js';
import { AlertmanagerConfigError, type ImportContext, isMap, isTemplate, type YamlMap } from './am-context.js';

/**
 * `receivers` (docs: configuration → <receiver>) → Receiver documents. webhook_configs, slack_configs
 * and email_configs become targets, with Alertmanager's defaults made explicit where ours differ
 * (send_resolved is false for Slack and email there, require_tls true); credentials become Secret
 * documents. Other integrations are reported and left out; a receiver keeps its name either way, so
 * the route tree stays whole.
 */

const UNSUPPORTED: Record<string, string> = {
  pagerduty: 'PagerDuty',
  opsgenie: 'Opsgenie',
  victorops: 'VictorOps',
  pushover: 'Pushover',
  wechat: 'WeChat',
  sns: 'Amazon SNS',
  telegram: 'Telegram',
  webex: 'Webex',
  discord: 'Discord',
  msteams: 'Microsoft Teams',
  msteamsv2: 'Microsoft Teams',
  jira: 'Jira',
  rocketchat: 'Rocket.Chat',
  incidentio: 'incident.io',
};
const SUPPORTED = 'supported targets: webhook, Slack, email';
const TIMEOUT = /^(\d+)s$/;

type Target = Record<string, unknown>;

/** The `global` settings receivers inherit, read once (a `*_file` is read and reported once). */
export interface GlobalDefaults {
  slackUrl?: string | undefined;
  smtpFrom?: unknown;
  smtpSmarthost?: unknown;
  smtpUsername?: unknown;
  smtpPassword?: string | undefined;
  smtpRequireTls?: unknown;
}

export function globalDefaults(ctx: ImportContext, global: YamlMap): GlobalDefaults {
  return {
    slackUrl: ctx.valueOf(global, 'slack_api_url', 'global'),
    smtpFrom: global.smtp_from,
    smtpSmarthost: global.smtp_smarthost,
    smtpUsername: global.smtp_auth_username,
    smtpPassword: ctx.valueOf(global, 'smtp_auth_password', 'global'),
    smtpRequireTls: global.smtp_require_tls,
  };
}

/** `http_config` keys are client settings (auth, proxy, TLS) of Alertmanager's HTTP client; none are carried. */
export function reportHttpConfig(ctx: ImportContext, http: unknown, path: string): void {
  if (!isMap(http)) return;
  for (const key of Object.keys(http)) {
    const reason = /auth|bearer|authorization/.test(key)
      ? 'credentials for the target are not carried; set them on the target by hand (e.g. headerSecrets on a webhook target)'
      : /proxy/.test(key)
        ? 'HTTP proxies are not supported'
        : key === 'tls_config'
          ? 'custom TLS settings are not carried'
          : 'HTTP client settings are not carried';
    ctx.skip(`${path}.${key}`, reason);
  }
}

/** A target checked against our schema, or undefined after reporting why it is left out. */
function checked(ctx: ImportContext, schema: z.ZodType, target: Target, path: string): Target | undefined {
  const r = schema.safeParse(target);
  if (r.success) return target;
  const issue = r.error.issues[0];
  ctx.skip(path, `the target is left out: ${issue?.path.join('.') || 'value'}: ${issue?.message}`);
  return undefined;
}

function timeoutSeconds(ctx: ImportContext, cfg: YamlMap, path: string, target: Target): void {
  if (cfg.timeout === undefined || cfg.timeout === null) return;
  const m = TIMEOUT.exec(String(cfg.timeout));
  const s = m ? Number(m[1]) : Number.NaN;
  if (s >= 1 && s <= 120) target.timeoutSeconds = s;
  else ctx.skip(`${path}.timeout`, 'only whole seconds from 1s to 120s are carried; the default (10s) applies');
}

function extraFields(ctx: ImportContext, cfg: YamlMap, path: string, known: Set<string>, reason: string): void {
  for (const key of Object.keys(cfg)) if (!known.has(key)) ctx.skip(`${path}.${key}`, reason);
}

const WEBHOOK_FIELDS = new Set(['url', 'url_file', 'send_resolved', 'max_alerts', 'timeout', 'http_config']);

function webhook(ctx: ImportContext, cfg: YamlMap, path: string): Target | undefined {
  extraFields(ctx, cfg, path, WEBHOOK_FIELDS, 'not carried (no equivalent webhook setting)');
  reportHttpConfig(ctx, cfg.http_config, `${path}.http_config`);
  const url = ctx.valueOf(cfg, 'url', path);
  if (url === undefined) {
    ctx.skip(path, 'the target is left out: it has no usable url');
    return undefined;
  }
  const t: Target = { url, sendResolved: cfg.send_resolved !== false };
  if (typeof cfg.max_alerts === 'number' && cfg.max_alerts > 0) t.maxAlerts = cfg.max_alerts;
  timeoutSeconds(ctx, cfg, path, t);
  return checked(ctx, WebhookTargetSchema, t, path);
}

const SLACK_FIELDS = new Set([
  'api_url',
  'api_url_file',
  'channel',
  'username',
  'send_resolved',
  'http_config',
  'timeout',
]);

function slack(
  ctx: ImportContext,
  cfg: YamlMap,
  path: string,
  receiver: string,
  global: GlobalDefaults,
): Target | undefined {
  extraFields(
    ctx,
    cfg,
    path,
    SLACK_FIELDS,
    'message layout and templates are not carried; Mainstay formats Slack messages',
  );
  reportHttpConfig(ctx, cfg.http_config, `${path}.http_config`);
  const own = ctx.valueOf(cfg, 'api_url', path);
  const inherited = own === undefined ? global.slackUrl : undefined;
  if (own === undefined && inherited === undefined) {
    ctx.skip(path, 'the target is left out: no Slack webhook URL (api_url, api_url_file or global.slack_api_url)');
    return undefined;
  }
  const urlSecret =
    own !== undefined
      ? ctx.secret(own, `${receiver}-slack-url`, `${path}.api_url`)
      : ctx.secret(inherited as string, 'slack-api-url', 'global.slack_api_url');
  const t: Target = { urlSecret, sendResolved: cfg.send_resolved === true };
  for (const key of ['channel', 'username'] as const) {
    const v = cfg[key];
    if (v === undefined || v === null || v === '') continue;
    if (isTemplate(v)) ctx.skip(`${path}.${key}`, 'templates are not carried; the webhook default applies');
    else t[key] = String(v);
  }
  timeoutSeconds(ctx, cfg, path, t);
  return checked(ctx, SlackTargetSchema, t, path);
}

const EMAIL_FIELDS = new Set([
  'to',
  'from',
  'smarthost',
  'auth_username',
  'auth_password',
  'auth_password_file',
  'require_tls',
  'send_resolved',
]);

/** `Ops <ops@example.org>` → `ops@example.org` (Go's mail.ParseAddress reads both). */
function address(text: string): string {
  const m = /<([^>]+)>\s*$/.exec(text);
  return (m ? (m[1] as string) : text).trim();
}

function email(
  ctx: ImportContext,
  cfg: YamlMap,
  path: string,
  receiver: string,
  global: GlobalDefaults,
): Target | undefined {
  extraFields(ctx, cfg, path, EMAIL_FIELDS, 'not carried (Mainstay writes the message and headers itself)');
  if (isTemplate(cfg.to) || typeof cfg.to !== 'string' || cfg.to.trim() === '') {
    ctx.skip(`${path}.to`, 'the target is left out: to is a template or empty; give fixed addresses');
    return undefined;
  }
  const t: Target = { to: cfg.to.split(',').map(address).filter(Boolean) };
  const from = cfg.from ?? global.smtpFrom;
  if (isTemplate(from)) ctx.skip(`${path}.from`, 'templates are not carried; the server default sender applies');
  else if (typeof from === 'string' && from) t.from = address(from);
  const smarthost = cfg.smarthost ?? global.smtpSmarthost;
  if (typeof smarthost === 'string' && smarthost) t.smarthost = smarthost;
  const username = cfg.auth_username ?? global.smtpUsername;
  if (typeof username === 'string' && username) t.authUsername = username;
  const own = ctx.valueOf(cfg, 'auth_password', path);
  const inherited = own === undefined ? global.smtpPassword : undefined;
  if (own !== undefined) t.authPasswordSecret = ctx.secret(own, `${receiver}-smtp-password`, `${path}.auth_password`);
  else if (inherited !== undefined)
    t.authPasswordSecret = ctx.secret(inherited, 'smtp-auth-password', 'global.smtp_auth_password');
  // Alertmanager's smtp_require_tls defaults to true; ours to false, so it is always written.
  const requireTls = cfg.require_tls ?? global.smtpRequireTls;
  t.requireTls = requireTls !== false;
  t.sendResolved = cfg.send_resolved === true;
  return checked(ctx, EmailTargetSchema, t, path);
}

function configs(receiver: YamlMap, key: string, path: string): YamlMap[] {
  const v = receiver[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every(isMap))
    throw new AlertmanagerConfigError(`${path}.${key}`, 'must be a list of maps');
  return v;
}

type Field = 'webhooks' | 'slack' | 'email';
type Convert = (
  ctx: ImportContext,
  cfg: YamlMap,
  path: string,
  receiver: string,
  global: GlobalDefaults,
) => Target | undefined;

const TARGETS: Record<string, { field: Field; convert: Convert }> = {
  webhook_configs: { field: 'webhooks', convert: (ctx, cfg, path) => webhook(ctx, cfg, path) },
  slack_configs: { field: 'slack', convert: slack },
  email_configs: { field: 'email', convert: email },
};

/** Converts every receiver; returns Alertmanager name → Receiver resource name. */
export function convertReceivers(ctx: ImportContext, receivers: unknown, global: GlobalDefaults): Map<string, string> {
  const names = new Map<string, string>();
  if (receivers === undefined || receivers === null) return names;
  if (!Array.isArray(receivers)) throw new AlertmanagerConfigError('receivers', 'must be a list');
  receivers.forEach((r, i) => {
    const path = `receivers[${i}]`;
    if (!isMap(r) || typeof r.name !== 'string' || r.name === '')
      throw new AlertmanagerConfigError(path, 'a receiver needs a name');
    const amName = r.name;
    if (names.has(amName)) throw new AlertmanagerConfigError(`${path}.name`, `receiver ${amName} is defined twice`);
    const name = ctx.names.Receiver.allocate(amName, 'receiver');
    names.set(amName, name);
    ctx.noteRename(path, 'receiver', amName, name);
    const spec: Record<Field, Target[]> = { webhooks: [], slack: [], email: [] };
    let given = 0;
    for (const key of Object.keys(r)) {
      if (key === 'name') continue;
      if (!key.endsWith('_configs')) {
        ctx.skip(`${path}.${key}`, 'unknown receiver field, ignored');
        continue;
      }
      const supported = TARGETS[key];
      configs(r, key, path).forEach((cfg, j) => {
        const at = `${path}.${key}[${j}]`;
        given++;
        if (!supported) {
          const kind = key.replace(/_configs$/, '');
          ctx.skip(at, `${UNSUPPORTED[kind] ?? kind} notifications are not supported (${SUPPORTED})`);
          return;
        }
        const target = supported.convert(ctx, cfg, at, amName, global);
        if (target) spec[supported.field].push(target);
      });
    }
    const out: Record<string, Target[]> = {};
    for (const [field, list] of Object.entries(spec)) if (list.length) out[field] = list;
    if (given > 0 && Object.keys(out).length === 0)
      ctx.notes.push(`${path}: no target of receiver ${name} was carried; it records notifications without sending`);
    ctx.add(path, 'Receiver', name, out);
  });
  return names;
}
