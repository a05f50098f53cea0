import { postJson } from '../../platform/outbound/http-post.js';
import { sortedLabels } from '../alert.model.js';
import type { SlackTarget } from '../config.model.js';
import { clip, type DeliveryResult, type GroupNotification, type NotifiedAlert, subjectOf } from './notification.js';
import type { HttpDeliveryOptions } from './webhook.js';

/**
 * Slack incoming webhooks (https://api.slack.com/messaging/webhooks): a `text` fallback for
 * notifications plus Block Kit `blocks`. Slack answers 200 `ok`; 429 carries Retry-After; other 4xx
 * bodies name the problem (`invalid_blocks`, `no_service`, `channel_is_archived`).
 */

/** Alerts shown one by one; the rest are counted. Keeps the message far below Slack's 50 blocks. */
export const SLACK_MAX_ALERTS = 10;
/** Block Kit limits: header text 150 characters, section text 3000. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;

type TextObject = { type: 'plain_text' | 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text: TextObject }
  | { type: 'context'; elements: TextObject[] };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
  channel?: string;
  username?: string;
}

/** Slack's three control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function link(url: string, text: string): string {
  if (!/^https?:\/\//i.test(url)) return slackEscape(text);
  // `<url|text>`: the url itself must not close the link or start the label.
  const safe = url.replace(/[<>|\s]/g, (c) => encodeURIComponent(c));
  return `<${safe}|${slackEscape(text)}>`;
}

function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return slackEscape(iso);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`;
}

function alertBlocks(a: NotifiedAlert): SlackBlock[] {
  const icon = a.status === 'firing' ? ':red_circle:' : ':large_green_circle:';
  // Backticks would end the code span early; labels are shown in one each.
  const labels = sortedLabels(a.labels)
    .map(([k, v]) => `\`${slackEscape(`${k}=${v}`).replace(/`/g, "'")}\``)
    .join(' ');
  const text = [
    `${icon} *${slackEscape(a.summary)}*`,
    `*Severity:* ${slackEscape(a.severity)}   *Status:* ${a.status}`,
    labels,
  ]
    .filter((line) => line !== '')
    .join('\n');
  const context = [`${link(a.url, 'Open in Mainstay')} · started ${slackDate(a.startsAt)}`];
  if (a.generatorURL) context.push(link(a.generatorURL, 'Source'));
  return [
    { type: 'section', text: { type: 'mrkdwn', text: clip(text, SECTION_MAX) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] },
  ];
}

/** The message body: header (Alertmanager's subject), a section and a context per alert, then "and N more". */
export function slackMessage(n: GroupNotification, target: Pick<SlackTarget, 'channel' | 'username'>): SlackMessage {
  const subject = subjectOf(n);
  const shown = n.alerts.slice(0, SLACK_MAX_ALERTS);
  const more = n.alerts.length - shown.length + n.truncatedAlerts;
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: clip(subject, HEADER_MAX) } }];
  for (const a of shown) blocks.push(...alertBlocks(a));
  if (more > 0) {
    const text = `_and ${more} more ${more === 1 ? 'alert' : 'alerts'}_`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  }
  return {
    text: slackEscape(subject),
    blocks,
    ...(target.channel === undefined ? {} : { channel: target.channel }),
    ...(target.username === undefined ? {} : { username: target.username }),
  };
}

/**
 * POSTs the message to a Slack incoming-webhook `url` (the target's urlSecret, resolved by the caller).
 * Never throws; a 429 is retryable with `retryAfterMs` from Slack's Retry-After.
 */
export async function deliverSlack(
  url: string,
  target: SlackTarget,
  n: GroupNotification,
  opts: HttpDeliveryOptions,
): Promise<DeliveryResult> {
  const result = await postJson(url, JSON.stringify(slackMessage(n, target)), {
    headers: { 'User-Agent': opts.userAgent },
    fixedHeaders: { 'Content-Type': 'application/json; charset=utf-8' },
    timeoutSeconds: target.timeoutSeconds,
    signal: opts.signal,
  });
  // Slack's reason is in the body (`invalid_blocks`, `channel_not_found`): say it with the status.
  if (!result.ok && result.statusCode !== undefined && result.response) {
    result.error = `${result.error}: ${clip(result.response.trim(), 200)}`;
  }
  return result;
}
