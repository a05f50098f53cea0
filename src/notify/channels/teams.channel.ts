import type { DeliveryResult } from '../../platform/outbound/delivery-result.js';
import { postJson } from '../../platform/outbound/http-post.js';
import type { ChannelSpec } from '../channel.model.js';
import { actionLinks, type ChannelMessage, incidentFacts, type SendContext } from './message.js';
import { parseJsonObject, withPeerReason } from './peer-reason.js';
import { guardedSend } from './send-guard.js';

/**
 * Microsoft Teams: an Adaptive Card 1.4 in a `message` envelope, the body both the Workflows
 * ("When a Teams webhook request is received") and the retired Office 365 connector webhooks accept
 * (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using).
 * Buttons are Action.OpenUrl: a webhook cannot receive Action.Submit callbacks.
 */

type TeamsSpec = Extract<ChannelSpec, { type: 'teams' }>;

type CardElement =
  | { type: 'TextBlock'; text: string; weight?: 'bolder'; size?: 'medium'; wrap: true }
  | { type: 'FactSet'; facts: { title: string; value: string }[] };
interface CardAction {
  type: 'Action.OpenUrl';
  title: string;
  url: string;
  style?: 'positive' | 'destructive';
}

export interface TeamsPayload {
  type: 'message';
  attachments: {
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
      type: 'AdaptiveCard';
      version: '1.4';
      body: CardElement[];
      actions: CardAction[];
    };
  }[];
}

const STYLE = { acknowledge: 'positive', resolve: 'destructive', view: undefined } as const;

export function teamsPayload(msg: ChannelMessage): TeamsPayload {
  const body: CardElement[] = [{ type: 'TextBlock', text: msg.title, weight: 'bolder', size: 'medium', wrap: true }];
  const facts = incidentFacts(msg);
  if (facts.length > 0) body.push({ type: 'FactSet', facts });
  body.push({ type: 'TextBlock', text: msg.text, wrap: true });
  const actions = actionLinks(msg).map((a): CardAction => {
    const style = STYLE[a.kind];
    return { type: 'Action.OpenUrl', title: a.label, url: a.url, ...(style ? { style } : {}) };
  });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions,
        },
      },
    ],
  };
}

/** Workflows answer 202, connectors 200 `1`; a refusal's reason is in the body (JSON `error.message` or text). */
function teamsReason(body: string): string {
  const json = parseJsonObject(body);
  const error = json?.error as { code?: unknown; message?: unknown } | undefined;
  if (error && typeof error.message === 'string') {
    return typeof error.code === 'string' ? `${error.code}: ${error.message}` : error.message;
  }
  return body;
}

export function sendTeams(spec: TeamsSpec, msg: ChannelMessage, ctx: SendContext): Promise<DeliveryResult> {
  return guardedSend(ctx, async (secrets) => {
    const url = await secrets.reveal(spec.urlSecret);
    const result = await postJson(url, JSON.stringify(teamsPayload(msg)), {
      headers: { 'User-Agent': ctx.userAgent },
      contentType: 'application/json',
      timeoutSeconds: spec.timeoutSeconds,
      signal: ctx.signal,
    });
    return withPeerReason(result, teamsReason);
  });
}
