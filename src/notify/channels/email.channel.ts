import type { DeliveryResult } from '../../platform/outbound/delivery-result.js';
import { sendMail } from '../../platform/outbound/smtp.js';
import type { ChannelSpec } from '../channel.model.js';
import { escapeHtml, oneLine } from './escape.js';
import { actionLinks, type ChannelMessage, incidentFacts, type SendContext } from './message.js';
import { failed, guardedSend } from './send-guard.js';

/**
 * Email through the platform's SMTP sender. The HTML body escapes every value (titles and labels come
 * from whoever can post an alert) and renders the signed acknowledge/resolve links as buttons; the
 * text body carries the same links for clients that show no HTML.
 */

type EmailSpec = Extract<ChannelSpec, { type: 'email' }>;

export interface ChannelEmail {
  subject: string;
  text: string;
  html: string;
}

const BUTTON_COLOURS = { acknowledge: '#2563eb', resolve: '#16a34a', view: '#4b5563' } as const;
const CELL = 'padding:4px 12px 4px 0;vertical-align:top';

export function renderChannelEmail(msg: ChannelMessage): ChannelEmail {
  const subject = oneLine(msg.title);
  const actions = actionLinks(msg);
  const facts = incidentFacts(msg);
  const buttons = actions.map(
    (a) =>
      `<a href="${escapeHtml(a.url)}" style="display:inline-block;margin:0 8px 8px 0;padding:8px 16px;` +
      `border-radius:4px;background:${BUTTON_COLOURS[a.kind]};color:#ffffff;text-decoration:none;font-weight:600">` +
      `${escapeHtml(a.label)}</a>`,
  );
  const html = [
    '<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#111827">',
    `<h2 style="margin:0 0 8px">${escapeHtml(subject)}</h2>`,
    facts.length > 0
      ? `<table style="border-collapse:collapse;margin:0 0 12px">${facts
          .map(
            (f) =>
              `<tr><td style="${CELL};color:#6b7280">${escapeHtml(f.title)}</td><td style="${CELL}">${escapeHtml(f.value)}</td></tr>`,
          )
          .join('')}</table>`
      : '',
    // <br>, not white-space:pre-wrap, which Outlook ignores.
    `<p style="margin:0 0 16px">${escapeHtml(msg.text).replace(/\r?\n/g, '<br>\n')}</p>`,
    buttons.length > 0 ? `<p style="margin:0 0 16px">${buttons.join('')}</p>` : '',
    actions.some((a) => a.kind !== 'view')
      ? '<p style="margin:16px 0 0;color:#6b7280;font-size:12px">The acknowledge and resolve links act without a login: do not forward this email.</p>'
      : '',
    '</body></html>',
  ]
    .filter((line) => line !== '')
    .join('\n');
  const text = [
    subject,
    '',
    ...facts.map((f) => `${f.title}: ${f.value}`),
    ...(facts.length > 0 ? [''] : []),
    msg.text,
    ...(actions.length > 0 ? ['', ...actions.map((a) => `${a.label}: ${a.url}`)] : []),
  ].join('\n');
  return { subject, text, html };
}

/** `<id@domain-of-from>`, so a retry of the same delivery carries the same Message-ID (receivers dedupe). */
function messageIdOf(id: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'mainstay.invalid';
  return `<${id.replace(/[^A-Za-z0-9._-]/g, '-')}@${domain}>`;
}

export function sendEmail(
  spec: EmailSpec,
  address: string | undefined,
  msg: ChannelMessage,
  ctx: SendContext,
): Promise<DeliveryResult> {
  return guardedSend(ctx, async (secrets) => {
    const to = address ? [address] : spec.to;
    if (to.length === 0) return failed('no recipient: the contact method has no address and the channel no `to`');
    const password = spec.authPasswordSecret ? await secrets.reveal(spec.authPasswordSecret) : undefined;
    const from = spec.from ?? ctx.smtpFrom;
    return sendMail({
      smarthost: spec.smarthost,
      smtpUrl: ctx.smtpUrl,
      auth: spec.authUsername ? { user: spec.authUsername, pass: password ?? '' } : undefined,
      requireTls: spec.requireTls,
      from,
      to,
      ...renderChannelEmail(msg),
      messageId: messageIdOf(msg.id, from),
      // RFC 3834: no vacation auto-replies to a page.
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Mainstay-Idempotency-Key': msg.id },
      signal: ctx.signal,
    });
  });
}
