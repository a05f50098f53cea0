import { sortedLabels } from '../alert.model.js';
import { type GroupNotification, type NotifiedAlert, subjectOf } from './notification.js';

/**
 * Subject, HTML and text of an alert email, laid out like Alertmanager's default `email.default.html`:
 * the group, then the firing and the resolved alerts. Every value in the HTML is escaped: labels and
 * summaries come from whoever can post to an integration.
 */

export interface EmailBody {
  subject: string;
  text: string;
  html: string;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values alike (attributes here are always double-quoted). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** Only http(s) URLs become links: a `javascript:` generatorURL stays text. */
function href(url: string): string | undefined {
  return /^https?:\/\//i.test(url) ? escapeHtml(url) : undefined;
}

function pairs(labels: Record<string, string>): string {
  return sortedLabels(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

const CELL = 'padding:4px 8px;vertical-align:top;border-top:1px solid #e5e7eb';

function alertHtml(a: NotifiedAlert): string {
  const url = href(a.url);
  const source = href(a.generatorURL);
  const summary = escapeHtml(a.summary);
  const labels = sortedLabels(a.labels)
    .map(([k, v]) => `<code style="background:#f3f4f6;padding:1px 4px">${escapeHtml(`${k}=${v}`)}</code>`)
    .join(' ');
  const links = [url && `<a href="${url}">Open in Mainstay</a>`, source && `<a href="${source}">Source</a>`]
    .filter(Boolean)
    .join(' · ');
  return [
    '<tr>',
    `<td style="${CELL}"><strong>${url ? `<a href="${url}">${summary}</a>` : summary}</strong><br>`,
    `Severity: ${escapeHtml(a.severity)} · Started: ${escapeHtml(a.startsAt)}<br>`,
    `${labels}${links ? `<br>${links}` : ''}</td>`,
    '</tr>',
  ].join('');
}

function alertText(a: NotifiedAlert): string {
  const lines = [
    `- ${a.summary}`,
    `  Severity: ${a.severity}   Started: ${a.startsAt}`,
    `  Labels: ${pairs(a.labels)}`,
  ];
  if (a.url) lines.push(`  ${a.url}`);
  if (a.generatorURL) lines.push(`  Source: ${a.generatorURL}`);
  return lines.join('\n');
}

/** Alertmanager's default subject, on one line (a header must not carry a line break). */
export function emailSubject(n: GroupNotification): string {
  return subjectOf(n).replace(/[\r\n]+/g, ' ');
}

export function renderEmail(n: GroupNotification): EmailBody {
  const subject = emailSubject(n);
  const firing = n.alerts.filter((a) => a.status === 'firing');
  const resolved = n.alerts.filter((a) => a.status === 'resolved');
  const total = n.alerts.length + n.truncatedAlerts;
  const group = pairs(n.groupLabels);
  const intro = `${total} ${total === 1 ? 'alert' : 'alerts'}${group ? ` for ${group}` : ''}`;
  const more = n.truncatedAlerts > 0 ? `and ${n.truncatedAlerts} more` : '';
  const external = href(n.externalURL);

  const sections = (
    [
      ['Firing', firing],
      ['Resolved', resolved],
    ] as const
  ).filter(([, list]) => list.length > 0);
  const html = [
    '<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#111827">',
    `<h2 style="margin:0 0 8px">${escapeHtml(subject)}</h2>`,
    `<p style="margin:0 0 12px">${escapeHtml(intro)}${external ? ` · <a href="${external}">Mainstay</a>` : ''}</p>`,
    ...sections.map(
      ([title, list]) =>
        `<h3 style="margin:16px 0 4px">[${list.length}] ${title}</h3>` +
        `<table style="border-collapse:collapse;width:100%">${list.map(alertHtml).join('')}</table>`,
    ),
    more ? `<p>${escapeHtml(more)}</p>` : '',
    '</body></html>',
  ].join('\n');
  const text = [
    subject,
    '',
    intro,
    ...sections.flatMap(([title, list]) => ['', `[${list.length}] ${title}`, ...list.map(alertText)]),
    ...(more ? ['', more] : []),
    ...(n.externalURL ? ['', n.externalURL] : []),
  ].join('\n');
  return { subject, text, html };
}
