import YAML from 'yaml';
import type { z } from 'zod';
import { InhibitRuleSpecSchema, ReceiverSpecSchema, RouteSpecSchema, TimeIntervalSpecSchema } from '../config.model.js';
import {
  AlertmanagerConfigError,
  ImportContext,
  type ImportedDocument,
  isMap,
  type NotCarried,
  type ReadFile,
  type YamlMap,
} from './am-context.js';
import { convertInhibitRules } from './am-matchers.js';
import { convertReceivers, globalDefaults, reportHttpConfig } from './am-receivers.js';
import { convertRoute } from './am-route.js';
import { convertTimeIntervals } from './am-time-intervals.js';

export type { ImportedDocument, NotCarried, ReadFile } from './am-context.js';
export { AlertmanagerConfigError } from './am-context.js';

/**
 * Converts an Alertmanager configuration (alertmanager.yml, docs: prometheus.io/docs/alerting/latest/
 * configuration) into Mainstay resource documents: the route tree as the Route named root, receivers,
 * inhibit rules, time intervals, and Secrets for the credentials the file holds. Pure: the caller
 * reads the file (and `*_file` references, through `readFile`) and decides whether to apply or write.
 */

export interface AlertmanagerImport {
  documents: ImportedDocument[];
  /** What has no equivalent here, by YAML path, with the reason. */
  notCarried: NotCarried[];
  /** What was carried with a change of form: renamed resources, split time intervals, empty receivers. */
  notes: string[];
}

export interface ImportOptions {
  /** Prepended to every produced name (except the Route, which is always root): `am` → `am-team-x`. */
  prefix?: string;
  /** Reads the files `*_file` settings name; without it such settings are reported as not carried. */
  readFile?: ReadFile;
}

const HANDLED_GLOBALS = new Set([
  'slack_api_url',
  'slack_api_url_file',
  'smtp_from',
  'smtp_smarthost',
  'smtp_auth_username',
  'smtp_auth_password',
  'smtp_auth_password_file',
  'smtp_require_tls',
  'http_config',
]);

function globalReason(key: string): string {
  if (key === 'resolve_timeout')
    return 'not carried: alerts resolve when their source says so, or when their endsAt passes';
  const integration = /^(pagerduty|opsgenie|victorops|wechat|telegram|webex|jira|rocketchat|incidentio)_/.exec(key);
  if (integration) return `used only by ${integration[1]} receivers, which are not supported`;
  return 'no equivalent setting; not carried';
}

const SECTIONS: Record<string, string | null> = {
  global: null,
  route: null,
  receivers: null,
  inhibit_rules: null,
  time_intervals: null,
  mute_time_intervals: null,
  templates: 'notification templates are not carried; Mainstay formats notifications itself',
  tracing: 'tracing settings are not carried',
};

const ORDER: Record<ImportedDocument['document']['kind'], number> = {
  Secret: 0,
  TimeInterval: 1,
  Receiver: 2,
  Route: 3,
  InhibitRule: 4,
};

const SCHEMAS: Record<Exclude<ImportedDocument['document']['kind'], 'Secret'>, z.ZodType> = {
  TimeInterval: TimeIntervalSpecSchema,
  Receiver: ReceiverSpecSchema,
  Route: RouteSpecSchema,
  InhibitRule: InhibitRuleSpecSchema,
};

/** A last check that every document is valid for its kind: a conversion bug must not reach the server half-done. */
function assertValid(docs: readonly ImportedDocument[]): void {
  for (const { source, document: d } of docs) {
    if (d.kind === 'Secret') {
      const v = d.spec.value;
      if (typeof v !== 'string' || v.length === 0 || v.length > 64 * 1024)
        throw new AlertmanagerConfigError(source, 'the secret value is empty or longer than 64 KiB');
      continue;
    }
    const r = SCHEMAS[d.kind].safeParse(d.spec);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new AlertmanagerConfigError(
        source,
        `${d.kind}/${d.metadata.name}: ${issue?.path.join('.')}: ${issue?.message}`,
      );
    }
  }
}

/** Parses and converts alertmanager.yml text. Throws AlertmanagerConfigError for what Alertmanager would refuse too. */
export function importAlertmanager(text: string, opts: ImportOptions = {}): AlertmanagerImport {
  let config: unknown;
  try {
    config = YAML.parse(text, { merge: true, maxAliasCount: 1000 });
  } catch (err) {
    throw new AlertmanagerConfigError('(file)', `not valid YAML: ${(err as Error).message}`);
  }
  if (!isMap(config)) throw new AlertmanagerConfigError('(file)', 'not an Alertmanager configuration (a YAML map)');
  const ctx = new ImportContext(opts.prefix ?? '', opts.readFile);

  for (const key of Object.keys(config)) {
    if (!(key in SECTIONS)) ctx.skip(key, 'unknown section, not carried');
    else if (SECTIONS[key]) ctx.skip(key, SECTIONS[key] as string);
  }
  const global: YamlMap = config.global === undefined || config.global === null ? {} : (config.global as YamlMap);
  if (!isMap(global)) throw new AlertmanagerConfigError('global', 'must be a map');
  for (const key of Object.keys(global)) if (!HANDLED_GLOBALS.has(key)) ctx.skip(`global.${key}`, globalReason(key));
  reportHttpConfig(ctx, global.http_config, 'global.http_config');

  const intervals = convertTimeIntervals(ctx, config);
  const receivers = convertReceivers(ctx, config.receivers, globalDefaults(ctx, global));
  convertRoute(ctx, config.route, { receivers, intervals });
  convertInhibitRules(ctx, config.inhibit_rules);

  const documents = [...ctx.documents].sort((a, b) => ORDER[a.document.kind] - ORDER[b.document.kind]);
  assertValid(documents);
  return { documents, notCarried: ctx.notCarried, notes: ctx.notes };
}

/** `receivers[3].pagerduty_configs[0]: PagerDuty notifications are not supported (…)` */
export function formatNotCarried(n: NotCarried): string {
  return `${n.path}: ${n.reason}`;
}
