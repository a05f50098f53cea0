import { isDeepStrictEqual } from 'node:util';
import type { Ledger } from './load.js';
import type { Row, SqlHandle } from './process.js';
import type { Delivery } from './receivers.js';

/**
 * Invariant checks of the crash tests, on a database handle (either engine) and what the local
 * receivers recorded. Each returns the problems it found (empty: the invariant holds) and figures
 * for the test's printout; none of them throws on a violation, so one run reports every problem.
 */
export interface Report {
  problems: string[];
  figures: Record<string, number>;
}

const json = (text: unknown) => (typeof text === 'string' ? JSON.parse(text) : text);
const n = (v: unknown) => Number(v);
const ok = (d: Delivery) => d.status >= 200 && d.status < 300;

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

/** Lists at most a few examples of a violation, with the total. */
function examples(what: string, items: readonly string[], max = 5): string[] {
  if (!items.length) return [];
  const more = items.length > max ? ` (and ${items.length - max} more)` : '';
  return [`${what}: ${items.slice(0, max).join('; ')}${more}`];
}

// ------------------------------------------------------------------------------------------------

/**
 * Every event answered 2xx is in the database: each PagerDuty episode is one alert row under its
 * dedup key with one trigger per 2xx answer (more only from unanswered attempts that did commit),
 * acknowledged and resolved when those were answered; the same for each Alertmanager alert episode
 * (labels + startsAt); every answered incident acknowledgement is on the incident.
 */
export async function checkIntake(
  db: SqlHandle,
  ledger: Ledger,
  integrations: { pagerduty: string; alertmanager: string },
): Promise<Report> {
  const problems: string[] = [...ledger.problems];
  const bad: string[] = [];
  const ids = await db.all('select id, name from alert_integrations');
  const idOf = (name: string) => ids.find((r) => r.name === name)?.id as string | undefined;
  const alerts = await db.all(
    'select id, integration_id, dedup_key, labels_json, status, repeats, acknowledged_at, starts_at from alerts order by first_seen_at, id',
  );
  const pdRows = alerts.filter((r) => r.integration_id === idOf(integrations.pagerduty));
  const byKey = new Map<string, Row[]>();
  for (const r of pdRows) byKey.set(r.dedup_key, [...(byKey.get(r.dedup_key) ?? []), r]);
  let pdEpisodes = 0;
  for (const k of ledger.pd) {
    const rows = byKey.get(k.dedupKey) ?? [];
    pdEpisodes += k.episodes.length;
    if (rows.length !== k.episodes.length) {
      bad.push(`PagerDuty ${k.dedupKey}: ${k.episodes.length} episodes answered, ${rows.length} alerts stored`);
      continue;
    }
    k.episodes.forEach((ep, i) => {
      const r = rows[i] as Row;
      const triggers = n(r.repeats) + 1;
      if (triggers < ep.triggersOk || triggers > ep.triggersOk + ep.triggersUnknown)
        bad.push(
          `PagerDuty ${k.dedupKey} episode ${i + 1}: ${ep.triggersOk} triggers answered (+${ep.triggersUnknown} unanswered), ${triggers} stored`,
        );
      if (ep.resolvedOk !== (r.status === 'resolved'))
        bad.push(`PagerDuty ${k.dedupKey} episode ${i + 1}: resolve answered ${ep.resolvedOk}, alert is ${r.status}`);
      if (ep.ackOk && r.acknowledged_at === null)
        bad.push(`PagerDuty ${k.dedupKey} episode ${i + 1}: acknowledge answered but not stored`);
    });
  }
  const amRows = alerts.filter((r) => r.integration_id === idOf(integrations.alertmanager));
  const amKey = (labels: Record<string, string>, startsAt: number) =>
    `${labels.alertname}|${labels.instance}|${startsAt}`;
  const amByKey = new Map<string, Row[]>();
  for (const r of amRows) {
    const k = amKey(json(r.labels_json), n(r.starts_at));
    amByKey.set(k, [...(amByKey.get(k) ?? []), r]);
  }
  let amEpisodes = 0;
  for (const g of ledger.am)
    for (const a of g.alerts)
      for (const ep of a.episodes) {
        amEpisodes++;
        const rows = amByKey.get(amKey(a.labels, Date.parse(ep.startsAt))) ?? [];
        const what = `Alertmanager ${a.labels.alertname}/${a.labels.instance} from ${ep.startsAt}`;
        if (rows.length !== 1) {
          bad.push(`${what}: ${rows.length} alerts stored for one episode`);
          continue;
        }
        const r = rows[0] as Row;
        const firing = n(r.repeats) + 1;
        if (firing < ep.firingOk || firing > ep.firingOk + ep.firingUnknown)
          bad.push(`${what}: ${ep.firingOk} firing posts answered (+${ep.firingUnknown} unanswered), ${firing} stored`);
        if (ep.resolvedOk !== (r.status === 'resolved'))
          bad.push(`${what}: resolve answered ${ep.resolvedOk}, alert is ${r.status}`);
      }
  if (amRows.length !== amEpisodes) bad.push(`${amEpisodes} Alertmanager episodes answered, ${amRows.length} stored`);

  const incidents = await db.all('select id, acknowledged_at from incidents');
  const acked = new Map(incidents.map((i) => [i.id as string, i.acknowledged_at]));
  const ackEntries = countBy(
    await db.all("select incident_id from incident_timeline where type = 'acknowledged'"),
    (r) => r.incident_id,
  );
  for (const a of ledger.acks) {
    if (acked.get(a.incidentId) === null || acked.get(a.incidentId) === undefined || !ackEntries.get(a.incidentId))
      bad.push(`incident ${a.incidentId}: acknowledgement answered 2xx but not stored`);
  }
  problems.push(...examples('answered but not in the database', bad));
  return {
    problems,
    figures: {
      pdEpisodes,
      pdAlertsStored: pdRows.length,
      amEpisodes,
      amAlertsStored: amRows.length,
      acksAnswered: ledger.acks.length,
    },
  };
}

// ------------------------------------------------------------------------------------------------

/**
 * No incident is duplicated: at most one open incident per (receiver, group key) at any time (the
 * [created, resolved] spans of one key never overlap), each alert-group episode (one alert_groups
 * id, from its first notification to its resolution) opened exactly one incident and every incident
 * from alerts belongs to exactly one episode; incident numbers are 1..N without gaps or repeats.
 * At the end (after resolving everything) every incident is resolved.
 */
export async function checkIncidents(db: SqlHandle, escalationReceivers: readonly string[]): Promise<Report> {
  const problems: string[] = [];
  const incidents = await db.all('select * from incidents order by number');
  const notResolved = incidents.filter((i) => i.status !== 'resolved' || i.open_key !== null);
  problems.push(
    ...examples(
      'incidents left open after everything resolved',
      notResolved.map((i) => `#${i.number} ${i.status}`),
    ),
  );

  const spans = new Map<string, Row[]>();
  for (const i of incidents)
    if (i.group_key !== null)
      spans.set(`${i.receiver}|${i.group_key}`, [...(spans.get(`${i.receiver}|${i.group_key}`) ?? []), i]);
  const overlaps: string[] = [];
  for (const [key, list] of spans) {
    const sorted = [...list].sort((a, b) => n(a.created_at) - n(b.created_at));
    for (let j = 1; j < sorted.length; j++) {
      const prev = sorted[j - 1] as Row;
      const cur = sorted[j] as Row;
      if (prev.resolved_at === null || n(prev.resolved_at) > n(cur.created_at))
        overlaps.push(`#${prev.number} and #${cur.number} both open for ${key}`);
    }
  }
  problems.push(...examples('two open incidents for one alert group', overlaps));

  const numbers = incidents.map((i) => n(i.number));
  const counter = await db.all("select value from incident_counter where id = 'number'");
  if (numbers.some((v, j) => v !== j + 1) || n(counter[0]?.value) !== incidents.length)
    problems.push(
      `incident numbers are not 1..${incidents.length} (counter ${counter[0]?.value}): ${numbers.slice(0, 20).join(',')}`,
    );

  // Episodes: a notification's alerts (by Mainstay alert id) → the incident they were attached to.
  const links = await db.all('select incident_id, alert_id from incident_alerts');
  const incidentOfAlert = new Map<string, Set<string>>();
  for (const l of links)
    incidentOfAlert.set(l.alert_id, (incidentOfAlert.get(l.alert_id) ?? new Set()).add(l.incident_id));
  const multi = [...incidentOfAlert].filter(([, s]) => s.size > 1).map(([a, s]) => `alert ${a} in ${s.size} incidents`);
  problems.push(...examples('an alert attached to two incidents', multi));
  const placeholders = escalationReceivers.map(() => '?').join(', ');
  const notes = escalationReceivers.length
    ? await db.all(
        `select group_id, payload_json from alert_notifications where receiver in (${placeholders}) order by at, id`,
        escalationReceivers,
      )
    : [];
  const incidentsOfGroup = new Map<string, Set<string>>();
  const groupsOfIncident = new Map<string, Set<string>>();
  let firingGroups = 0;
  const seenGroups = new Set<string>();
  for (const note of notes) {
    const payload = json(note.payload_json) as { alerts: Array<{ id: string; status: string }> };
    if (!seenGroups.has(note.group_id) && payload.alerts.some((a) => a.status === 'firing')) {
      seenGroups.add(note.group_id);
      firingGroups++;
    }
    for (const a of payload.alerts)
      for (const inc of incidentOfAlert.get(a.id) ?? []) {
        incidentsOfGroup.set(note.group_id, (incidentsOfGroup.get(note.group_id) ?? new Set()).add(inc));
        groupsOfIncident.set(inc, (groupsOfIncident.get(inc) ?? new Set()).add(note.group_id));
      }
  }
  const noIncident = [...seenGroups].filter((g) => !incidentsOfGroup.get(g)?.size);
  const twoIncidents = [...incidentsOfGroup].filter(([, s]) => s.size > 1).map(([g, s]) => `group ${g}: ${s.size}`);
  const twoGroups = [...groupsOfIncident].filter(([, s]) => s.size > 1).map(([i, s]) => `incident ${i}: ${s.size}`);
  problems.push(...examples('an alert group episode notified firing without an incident', noIncident));
  problems.push(...examples('one alert group episode with several incidents', twoIncidents));
  problems.push(...examples('one incident spanning several alert group episodes', twoGroups));
  const fromAlerts = incidents.filter((i) => String(i.created_by).startsWith('alerts:'));
  if (fromAlerts.length !== firingGroups)
    problems.push(`${firingGroups} alert group episodes paged, ${fromAlerts.length} incidents opened from alerts`);
  return {
    problems,
    figures: {
      incidents: incidents.length,
      incidentsFromAlerts: fromAlerts.length,
      incidentsAcknowledged: incidents.filter((i) => i.acknowledged_at !== null).length,
    },
  };
}

// ------------------------------------------------------------------------------------------------

/**
 * From the webhook receiver's log of Alertmanager-format notifications: every alert (fingerprint +
 * startsAt) a group notified as firing on a receiver path was later notified resolved there, and
 * each resolution went out as one notification (retries of it share its key).
 */
export function checkGroupsResolved(log: readonly Delivery[], pathPrefix = '/am/'): Report {
  const seen = new Map<string, { firing: boolean; resolvedKeys: Set<string> }>();
  const groups = new Set<string>();
  for (const d of log) {
    if (!ok(d) || !d.path.startsWith(pathPrefix)) continue;
    const body = d.body as {
      groupKey: string;
      alerts: Array<{ status: string; fingerprint: string; startsAt: string }>;
    };
    groups.add(`${d.path}|${body.groupKey}`);
    for (const a of body.alerts) {
      const k = `${d.path}|${body.groupKey}|${a.fingerprint}|${a.startsAt}`;
      const s = seen.get(k) ?? { firing: false, resolvedKeys: new Set<string>() };
      if (a.status === 'firing') s.firing = true;
      else s.resolvedKeys.add(d.key ?? '?');
      seen.set(k, s);
    }
  }
  const unresolved = [...seen].filter(([, s]) => s.firing && s.resolvedKeys.size === 0).map(([k]) => k);
  const twice = [...seen].filter(([, s]) => s.resolvedKeys.size > 1).map(([k, s]) => `${k} (${s.resolvedKeys.size})`);
  return {
    problems: [
      ...examples('notified firing, never notified resolved', unresolved),
      ...examples('a resolution notified under several keys', twice),
    ],
    figures: { groupsNotified: groups.size, alertEpisodesNotified: seen.size },
  };
}

/**
 * Each group flush ran once: an alert is notified firing at most once and resolved at most once per
 * group (a flush run twice, e.g. re-run after a crash without its guard, would notify it again under
 * a new notification id — a duplicate the idempotency key cannot catch). Repeats are not counted.
 */
export async function checkFlushedOnce(db: SqlHandle): Promise<Report> {
  const rows = await db.all("select alert_id, message, details_json from alert_history where type = 'notified'");
  const counts = new Map<string, number>();
  let notified = 0;
  for (const r of rows) {
    const message = String(r.message);
    if (message.includes(', repeat')) continue;
    notified++;
    const what = message.includes('(resolved') ? 'resolved' : 'firing';
    const k = `${r.alert_id} ${what} in group ${json(r.details_json).group}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const twice = [...counts].filter(([, c]) => c > 1).map(([k, c]) => `${k} ×${c}`);
  return {
    problems: examples('an alert notified twice by its group', twice),
    figures: { alertNotifiedEntries: notified },
  };
}

// ------------------------------------------------------------------------------------------------

export interface DeliveryTargets {
  /** Receiver name → the path of each of its webhook targets, in order. */
  receivers: Record<string, readonly string[]>;
  /** Notify channel name → the path it posts to. */
  channels: Record<string, string>;
}

/**
 * Every notification was delivered at least once: each alert notification reached every target of
 * its receiver (a 2xx under its id) and each page or channel post (notify delivery) not cancelled
 * reached its channel, and the database says so; deliveries seen more than once carry one key and
 * the same body (duplicates are counted, not failed); nothing arrived that the database does not know.
 */
export async function checkDeliveries(db: SqlHandle, log: readonly Delivery[], t: DeliveryTargets): Promise<Report> {
  const problems: string[] = [];
  const delivered = log.filter(ok);
  const byKey = new Map<string, Delivery[]>();
  for (const d of delivered) byKey.set(`${d.path}|${d.key}`, [...(byKey.get(`${d.path}|${d.key}`) ?? []), d]);
  const known = new Set<string>();

  const notes = await db.all('select id, receiver, targets, delivered, failed, status from alert_notifications');
  const missing: string[] = [];
  const notDelivered: string[] = [];
  let redelivered = 0;
  for (const note of notes) {
    const paths = t.receivers[note.receiver] ?? [];
    if (n(note.targets) !== paths.length)
      missing.push(`notification ${note.id} of ${note.receiver}: ${note.targets} targets`);
    paths.forEach((p) => {
      known.add(`${p}|${note.id}`);
      if (!byKey.get(`${p}|${note.id}`)?.length) missing.push(`notification ${note.id} to ${p}`);
    });
    if (paths.length && note.status !== 'delivered') notDelivered.push(`notification ${note.id} is ${note.status}`);
    if (n(note.delivered) > n(note.targets)) redelivered++;
  }

  const deliveries = await db.all('select id, channel, status, event, attempts from notify_deliveries');
  let cancelled = 0;
  for (const d of deliveries) {
    const p = t.channels[d.channel];
    if (!p) {
      missing.push(`delivery ${d.id} to unknown channel ${d.channel}`);
      continue;
    }
    known.add(`${p}|${d.id}`);
    if (d.status === 'cancelled') {
      cancelled++;
      continue;
    }
    if (!byKey.get(`${p}|${d.id}`)?.length) missing.push(`delivery ${d.id} (${d.event}) to ${p}`);
    if (d.status !== 'delivered') notDelivered.push(`delivery ${d.id} is ${d.status}`);
  }
  problems.push(...examples('never delivered', missing));
  problems.push(...examples('the database does not say delivered', notDelivered));

  const delivEntries = await db.all("select details_json from incident_timeline where type = 'notification.delivered'");
  const entriesPerDelivery = countBy(delivEntries, (e) => String(json(e.details_json).delivery));
  const twiceRecorded = [...entriesPerDelivery].filter(([, c]) => c > 1).map(([id, c]) => `${id} ×${c}`);
  problems.push(...examples('a delivery recorded delivered twice on the timeline', twiceRecorded));

  const unknown = delivered.filter((d) => !known.has(`${d.path}|${d.key}`)).map((d) => `${d.path} key ${d.key}`);
  problems.push(...examples('delivered but unknown to the database (no key, or a rolled-back notification)', unknown));

  let duplicates = 0;
  const dupByPath: Record<string, number> = {};
  const differing: string[] = [];
  for (const [k, list] of byKey) {
    if (list.length < 2) continue;
    duplicates += list.length - 1;
    const p = (list[0] as Delivery).path;
    dupByPath[p] = (dupByPath[p] ?? 0) + list.length - 1;
    if (list.some((d) => !isDeepStrictEqual(d.body, (list[0] as Delivery).body))) differing.push(k);
  }
  problems.push(...examples('duplicates under one key with different bodies', differing));
  return {
    problems,
    figures: {
      alertNotifications: notes.length,
      notifyDeliveries: deliveries.length,
      cancelledPages: cancelled,
      requestsReceived: log.length,
      requestsRefused: log.length - delivered.length,
      duplicates,
      ...Object.fromEntries(Object.entries(dupByPath).map(([p, c]) => [`duplicates${p.replace(/\//g, '_')}`, c])),
      notificationsCountedTwice: redelivered,
    },
  };
}
