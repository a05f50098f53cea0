import type { DeliveryResult } from '../../platform/outbound/delivery-result.js';
import { postJson } from '../../platform/outbound/http-post.js';
import type { ChannelSpec } from '../channel.model.js';
import { clip } from './escape.js';
import { actionLinks, type ChannelMessage, incidentFacts, type SendContext } from './message.js';
import { withPeerReason } from './peer-reason.js';
import { guardedSend } from './send-guard.js';

/**
 * Slack incoming webhooks (https://api.slack.com/messaging/webhooks) with Block Kit. The buttons are
 * link buttons (`url`): an incoming webhook has no interactivity endpoint, so a button that expected a
 * callback would do nothing; the signed acknowledge/resolve URLs do the work in the browser.
 */

type SlackSpec = Extract<ChannelSpec, { type: 'slack' }>;

/** Block Kit limits: header text 150 characters, section text 3000, field text 2000, button URL 3000. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const URL_MAX = 3000;

type Text = { type: 'plain_text' | 'mrkdwn'; text: string };
export interface SlackButton {
  type: 'button';
  action_id: string;
  text: { type: 'plain_text'; text: string };
  url: string;
  style?: 'primary' | 'danger';
}
export type SlackBlock =
  | { type: 'header'; text: Text }
  | { type: 'section'; text: Text; fields?: Text[] }
  | { type: 'context'; elements: Text[] }
  | { type: 'actions'; elements: SlackButton[] };

export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's three control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const STYLE = { acknowledge: 'primary', resolve: 'danger', view: undefined } as const;

function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return slackEscape(iso);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`;
}

export function slackPayload(msg: ChannelMessage): SlackPayload {
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: clip(msg.title, HEADER_MAX) } }];
  const facts = incidentFacts(msg).map(
    (f): Text => ({ type: 'mrkdwn', text: clip(`*${f.title}*\n${slackEscape(f.value)}`, FIELD_MAX) }),
  );
  const section: SlackBlock = {
    type: 'section',
    text: { type: 'mrkdwn', text: clip(slackEscape(msg.text), SECTION_MAX) },
  };
  if (facts.length > 0) section.fields = facts;
  blocks.push(section);
  const context = [msg.event, slackDate(msg.at)];
  if (msg.recipient) context.push(`paging ${slackEscape(msg.recipient.name)}`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  const buttons = actionLinks(msg)
    .filter((a) => a.url.length <= URL_MAX)
    .map((a): SlackButton => {
      const style = STYLE[a.kind];
      return {
        type: 'button',
        action_id: `mainstay-${a.kind}`,
        text: { type: 'plain_text', text: a.label },
        url: a.url,
        ...(style ? { style } : {}),
      };
    });
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  // `text` is the notification and screen-reader fallback when blocks are present.
  return { text: slackEscape(msg.title), blocks };
}

/** Slack answers 200 `ok`; its reason for a 4xx is the body (`invalid_blocks`, `no_service`…). */
export function sendSlack(spec: SlackSpec, msg: ChannelMessage, ctx: SendContext): Promise<DeliveryResult> {
  return guardedSend(ctx, async (secrets) => {
    const url = await secrets.reveal(spec.urlSecret);
    const result = await postJson(url, JSON.stringify(slackPayload(msg)), {
      headers: { 'User-Agent': ctx.userAgent },
      contentType: 'application/json; charset=utf-8',
      timeoutSeconds: spec.timeoutSeconds,
      signal: ctx.signal,
    });
    return withPeerReason(result, (body) => body.trim());
  });
}
