import type { DeliveryResult } from '../../platform/outbound/delivery-result.js';
import { postJson } from '../../platform/outbound/http-post.js';
import type { ChannelSpec } from '../channel.model.js';
import { clip } from './escape.js';
import { actionLinks, type ChannelMessage, type SendContext } from './message.js';
import { parseJsonObject, withPeerReason } from './peer-reason.js';
import { failed, guardedSend } from './send-guard.js';

/**
 * ntfy's JSON publish API (https://docs.ntfy.sh/publish/#publish-as-json): POST to the server root
 * with the topic in the body. Acknowledge and Resolve are `http` actions, so a tap on the phone
 * notification POSTs the signed URL without opening a browser; ntfy allows three actions.
 */

type NtfySpec = Extract<ChannelSpec, { type: 'ntfy' }>;

export interface NtfyAction {
  action: 'http' | 'view';
  label: string;
  url: string;
  method?: 'POST';
  clear?: boolean;
}

export interface NtfyPayload {
  topic: string;
  title: string;
  message: string;
  priority: 1 | 2 | 3 | 4 | 5;
  tags: string[];
  click?: string;
  actions?: NtfyAction[];
}

/** ntfy's message limit (server `message-size-limit` default 4 KB); longer becomes an attachment. */
const MESSAGE_MAX = 4000;
const NTFY_MAX_ACTIONS = 3;

/** Emoji short codes ntfy turns into the notification's icon. */
const TAGS: Record<ChannelMessage['event'], string> = {
  'incident.triggered': 'rotating_light',
  'incident.acknowledged': 'eyes',
  'incident.resolved': 'white_check_mark',
  'incident.escalated': 'arrow_double_up',
  'incident.reminder': 'bell',
  test: 'test_tube',
};

/** 5 (max: bypasses Do Not Disturb on Android) only for what should wake someone: a new high-urgency incident. */
export function ntfyPriority(msg: ChannelMessage): NtfyPayload['priority'] {
  if (msg.event === 'incident.triggered' && msg.incident?.urgency === 'high') return 5;
  if (msg.event === 'incident.escalated') return 4;
  return 3;
}

export function ntfyPayload(msg: ChannelMessage, topic: string): NtfyPayload {
  const links = actionLinks(msg);
  const actions = links
    .slice(0, NTFY_MAX_ACTIONS)
    .map(
      (a): NtfyAction =>
        a.kind === 'view'
          ? { action: 'view', label: a.label, url: a.url }
          : { action: 'http', label: a.label, url: a.url, method: 'POST', clear: true },
    );
  const view = links.find((a) => a.kind === 'view')?.url;
  const tags = [TAGS[msg.event]];
  if (msg.incident) tags.push(msg.incident.severity);
  return {
    topic,
    title: msg.title,
    message: clip(msg.text, MESSAGE_MAX),
    priority: ntfyPriority(msg),
    tags,
    ...(view ? { click: view } : {}),
    ...(actions.length > 0 ? { actions } : {}),
  };
}

/** ntfy errors are `{"code":40301,"http":403,"error":"forbidden","link":…}`. */
function ntfyReason(body: string): string | undefined {
  const json = parseJsonObject(body);
  if (typeof json?.error !== 'string') return body;
  return typeof json.code === 'number' ? `${json.code} ${json.error}` : json.error;
}

export function sendNtfy(
  spec: NtfySpec,
  address: string | undefined,
  msg: ChannelMessage,
  ctx: SendContext,
): Promise<DeliveryResult> {
  return guardedSend(ctx, async (secrets) => {
    const topic = address || spec.topic;
    if (!topic) return failed('no topic: the contact method has no address and the channel no `topic`');
    const fixedHeaders: Record<string, string> = {};
    if (spec.tokenSecret) fixedHeaders.Authorization = `Bearer ${await secrets.reveal(spec.tokenSecret)}`;
    const result = await postJson(`${spec.baseUrl.replace(/\/+$/, '')}/`, JSON.stringify(ntfyPayload(msg, topic)), {
      headers: { 'User-Agent': ctx.userAgent },
      contentType: 'application/json',
      fixedHeaders,
      timeoutSeconds: spec.timeoutSeconds,
      signal: ctx.signal,
    });
    return withPeerReason(result, ntfyReason);
  });
}
