import type { DeliveryResult } from '../../platform/outbound/delivery-result.js';
import { addressError, type ChannelSpec, hasDefaultAddress } from '../channel.model.js';
import { sendEmail } from './email.channel.js';
import type { ChannelMessage, SendContext } from './message.js';
import { sendNtfy } from './ntfy.channel.js';
import { failed } from './send-guard.js';
import { sendSlack } from './slack.channel.js';
import { sendTeams } from './teams.channel.js';
import { sendTelegram } from './telegram.channel.js';
import { sendTwilio } from './twilio.channel.js';
import { sendWebhook } from './webhook.channel.js';

export type { DeliveryResult } from '../../platform/outbound/delivery-result.js';
export { renderChannelEmail } from './email.channel.js';
export {
  type ActionLink,
  actionLinks,
  CHANNEL_EVENTS,
  type ChannelEvent,
  type ChannelMessage,
  type IncidentSummary,
  type SendContext,
} from './message.js';
export { ntfyPayload } from './ntfy.channel.js';
export { REDACTED } from './send-guard.js';
export { slackPayload } from './slack.channel.js';
export { teamsPayload } from './teams.channel.js';
export { telegramPayload } from './telegram.channel.js';
export { smsBody, voiceTwiml } from './twilio.channel.js';
export {
  SIGNATURE_TOLERANCE_SECONDS,
  signWebhook,
  verifyWebhookSignature,
  type WebhookPayload,
  webhookPayload,
} from './webhook.channel.js';

/**
 * Sends `msg` through one channel, to `address` (a person's contact method) or else the channel's
 * default address. Never throws: every failure, including a bad address, is a DeliveryResult.
 */
export async function sendToChannel(
  spec: ChannelSpec,
  address: string | undefined,
  msg: ChannelMessage,
  ctx: SendContext,
): Promise<DeliveryResult> {
  try {
    const to = address === '' ? undefined : address;
    if (to !== undefined) {
      const error = addressError(spec, to);
      if (error) return failed(`address: ${error}`);
    } else if (!hasDefaultAddress(spec)) {
      return failed(`no address: the ${spec.type} channel has no default one and none was given`);
    }
    switch (spec.type) {
      case 'webhook':
        return await sendWebhook(spec, msg, ctx);
      case 'slack':
        return await sendSlack(spec, msg, ctx);
      case 'teams':
        return await sendTeams(spec, msg, ctx);
      case 'email':
        return await sendEmail(spec, to, msg, ctx);
      case 'ntfy':
        return await sendNtfy(spec, to, msg, ctx);
      case 'telegram':
        return await sendTelegram(spec, to, msg, ctx);
      case 'sms':
      case 'voice':
        return await sendTwilio(spec, to, msg, ctx);
    }
    return failed(`unknown channel type ${JSON.stringify((spec as { type: unknown }).type)}`);
  } catch (err) {
    // The senders are guarded; this keeps the promise for a spec that skipped ChannelSpecSchema.
    return failed(`channel failed: ${(err as Error)?.message ?? String(err)}`);
  }
}
