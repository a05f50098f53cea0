import type { DeliveryResult } from '../../platform/outbound/delivery-result.js';
import { postJson } from '../../platform/outbound/http-post.js';
import type { ChannelSpec } from '../channel.model.js';
import { clip, escapeHtml } from './escape.js';
import { actionLinks, type ChannelMessage, type SendContext } from './message.js';
import { parseJsonObject, withPeerReason } from './peer-reason.js';
import { failed, guardedSend } from './send-guard.js';

/**
 * Telegram Bot API sendMessage (https://core.telegram.org/bots/api#sendmessage) with HTML parse mode
 * and URL buttons. The bot token is part of the request path, so it is revealed through the send
 * guard and scrubbed from anything that reaches a receipt.
 */

type TelegramSpec = Extract<ChannelSpec, { type: 'telegram' }>;

type Button = { text: string; url: string };
export interface TelegramPayload {
  chat_id: string;
  text: string;
  parse_mode: 'HTML';
  disable_web_page_preview: true;
  reply_markup?: { inline_keyboard: Button[][] };
}

/** Bot API: message text is 1–4096 characters after entity parsing. */
const TEXT_MAX = 4096;
const TITLE_MAX = 256;
/** `123456789:AA…` (https://core.telegram.org/bots/api#authorizing-your-bot). */
const BOT_TOKEN_RE = /^[0-9]+:[A-Za-z0-9_-]+$/;

export function telegramPayload(msg: ChannelMessage, chatId: string): TelegramPayload {
  // Clip before escaping, so a cut never splits an entity; Telegram counts the text after parsing them.
  const title = clip(msg.title, TITLE_MAX);
  const text = `<b>${escapeHtml(title)}</b>\n${escapeHtml(clip(msg.text, TEXT_MAX - title.length - 1))}`;
  const links = actionLinks(msg);
  const decide = links.filter((a) => a.kind !== 'view').map((a) => ({ text: a.label, url: a.url }));
  const open = links.filter((a) => a.kind === 'view').map((a) => ({ text: a.label, url: a.url }));
  const keyboard = [decide, open].filter((row) => row.length > 0);
  return {
    chat_id: chatId,
    text,
    parse_mode: 'HTML',
    disable_web_page_preview: true,
    ...(keyboard.length > 0 ? { reply_markup: { inline_keyboard: keyboard } } : {}),
  };
}

/**
 * Failures answer `{ok: false, error_code, description, parameters?: {retry_after}}` with the same
 * HTTP status; a 429's `retry_after` (seconds) is when the flood limit lifts.
 */
function withTelegramError(result: DeliveryResult): DeliveryResult {
  if (result.ok || result.statusCode === undefined) return result;
  const json = parseJsonObject(result.response);
  // Not the Bot API answering (a proxy, a wrong baseUrl): its text is the best reason there is.
  if (!json) return withPeerReason(result, (body) => body);
  if (typeof json.description === 'string') {
    const code = typeof json.error_code === 'number' ? `${json.error_code} ` : '';
    result.error = `${result.error}: Telegram ${code}${clip(json.description, 300)}`;
  }
  const retryAfter = (json.parameters as { retry_after?: unknown } | undefined)?.retry_after;
  if (typeof retryAfter === 'number' && retryAfter >= 0) {
    result.retryAfterMs = retryAfter * 1000;
    result.retryable = true;
  }
  return result;
}

export function sendTelegram(
  spec: TelegramSpec,
  address: string | undefined,
  msg: ChannelMessage,
  ctx: SendContext,
): Promise<DeliveryResult> {
  return guardedSend(ctx, async (secrets) => {
    const chatId = address || spec.chatId;
    if (!chatId) return failed('no chat: the contact method has no address and the channel no `chatId`');
    const token = (await secrets.reveal(spec.botTokenSecret)).trim();
    secrets.hide(token);
    if (!BOT_TOKEN_RE.test(token)) return failed(`secret ${spec.botTokenSecret} does not hold a Telegram bot token`);
    const url = `${spec.baseUrl.replace(/\/+$/, '')}/bot${token}/sendMessage`;
    const result = await postJson(url, JSON.stringify(telegramPayload(msg, chatId)), {
      headers: { 'User-Agent': ctx.userAgent },
      contentType: 'application/json',
      timeoutSeconds: spec.timeoutSeconds,
      signal: ctx.signal,
    });
    return withTelegramError(result);
  });
}
