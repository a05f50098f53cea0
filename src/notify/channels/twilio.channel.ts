import type { DeliveryResult } from '../../platform/outbound/delivery-result.js';
import { postForm } from '../../platform/outbound/http-post.js';
import type { ChannelSpec } from '../channel.model.js';
import { clip, escapeHtml, oneLine } from './escape.js';
import { actionLinks, type ChannelMessage, type SendContext } from './message.js';
import { parseJsonObject, withPeerReason } from './peer-reason.js';
import { failed, guardedSend } from './send-guard.js';

/**
 * Twilio SMS (Messages API) and voice (Calls API with inline TwiML), 2010-04-01 REST API: form-encoded
 * POSTs with HTTP Basic auth AccountSid:AuthToken (https://www.twilio.com/docs/usage/requests-to-twilio).
 */

type TwilioSpec = Extract<ChannelSpec, { type: 'sms' | 'voice' }>;

/** Two GSM-7 segments: long enough for a title and a link, short enough not to become a small essay. */
export const SMS_MAX = 320;
/** Calls API: the Twiml parameter is at most 4000 characters. */
const TWIML_MAX = 4000;

/** The title, then the acknowledge link (else the view link) when the two fit in one SMS. */
export function smsBody(msg: ChannelMessage): string {
  const title = oneLine(msg.title);
  const links = actionLinks(msg);
  const ack = links.find((a) => a.kind === 'acknowledge')?.url;
  const view = links.find((a) => a.kind === 'view')?.url;
  const link = ack ? `Ack: ${ack}` : view ? `Open: ${view}` : undefined;
  if (!link || link.length > SMS_MAX / 2) return clip(title, SMS_MAX);
  return `${clip(title, SMS_MAX - link.length - 1)}\n${link}`;
}

/** What the call says: no brackets or hash signs, which text-to-speech reads out literally. */
function spoken(msg: ChannelMessage): string {
  const i = msg.incident;
  const head = i ? `Mainstay ${i.status} incident ${i.number}, severity ${i.severity}: ${i.title}.` : `${msg.title}.`;
  return oneLine(`${head} ${msg.text}`).replace(/[[\]#*_]/g, ' ');
}

/** Said twice with a pause: the first words are often lost while the phone reaches an ear. */
export function voiceTwiml(msg: ChannelMessage): string {
  const wrap = (say: string) => `<Response><Say>${say}</Say><Pause length="1"/><Say>${say}</Say></Response>`;
  const room = Math.floor((TWIML_MAX - wrap('').length) / 2);
  let text = spoken(msg);
  // Escaping grows the text: cut the source until the escaped form fits.
  while (escapeHtml(text).length > room) text = clip(text, Math.max(1, text.length - (escapeHtml(text).length - room)));
  return wrap(escapeHtml(text));
}

/** Twilio errors are `{code, message, more_info, status}`; the code names the problem (21211 bad number…). */
function twilioReason(body: string): string | undefined {
  const json = parseJsonObject(body);
  if (typeof json?.message !== 'string') return body;
  return typeof json.code === 'number' ? `Twilio ${json.code}: ${json.message}` : json.message;
}

export function sendTwilio(
  spec: TwilioSpec,
  address: string | undefined,
  msg: ChannelMessage,
  ctx: SendContext,
): Promise<DeliveryResult> {
  return guardedSend(ctx, async (secrets) => {
    const to = address || spec.to;
    if (!to) return failed('no phone number: the contact method has no address and the channel no `to`');
    const token = await secrets.reveal(spec.authTokenSecret);
    const basic = Buffer.from(`${spec.accountSid}:${token}`).toString('base64');
    secrets.hide(basic);
    const resource = spec.type === 'sms' ? 'Messages.json' : 'Calls.json';
    const url = `${spec.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${spec.accountSid}/${resource}`;
    const fields: Record<string, string> =
      spec.type === 'sms'
        ? { To: to, From: spec.from, Body: smsBody(msg) }
        : { To: to, From: spec.from, Twiml: voiceTwiml(msg) };
    const result = await postForm(url, fields, {
      headers: { 'User-Agent': ctx.userAgent },
      fixedHeaders: { Authorization: `Basic ${basic}` },
      timeoutSeconds: spec.timeoutSeconds,
      signal: ctx.signal,
    });
    return withPeerReason(result, twilioReason);
  });
}
