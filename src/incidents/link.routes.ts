import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ActionLinks, LinkClaims } from '../notify/index.js';
import { SYSTEM_ACTOR } from '../platform/audit/audit.model.js';
import { ConflictError, NotFoundError } from '../platform/errors.js';
import { type AnyRoute, defineRoute } from '../platform/http/route.js';
import type { IncidentsService } from './incident.service.js';

/**
 * The pages behind signed acknowledge / resolve links. GET only shows what the link will do, with a
 * button: chat apps and mail scanners fetch links to preview them, and a GET that acknowledged would
 * let a link preview silence a page. The POST from that button does the action.
 */

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function page(reply: FastifyReply, status: number, title: string, body: string) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · Mainstay</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d232b;background:#f7f8fa}
main{background:#fff;border:1px solid #d9dee5;border-radius:8px;padding:1.5rem}h1{font-size:1.25rem;margin:0 0 .5rem}
button{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:0;background:#1f6feb;color:#fff;cursor:pointer}
button.danger{background:#1a7f37}.muted{color:#5b6572}@media (prefers-color-scheme:dark){body{background:#0f1419;color:#e6e9ee}main{background:#161b22;border-color:#30363d}.muted{color:#9aa4b1}}</style>
</head><body><main>${body}</main></body></html>`;
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(html);
}

const VERB = { acknowledge: 'Acknowledge', resolve: 'Resolve' } as const;

/** A stored actor as a person reads it: `user:ann@x` → `ann@x`, `link:acknowledge` → `a signed link`. */
const shownActor = (by: string) =>
  by.startsWith('link:') ? 'a signed link' : by === 'system' ? 'Mainstay' : by.replace(/^(user|token):/, '');

export function linkRoutes(svc: IncidentsService, links: ActionLinks, now: () => number): AnyRoute[] {
  const check = (token: string, reply: FastifyReply): LinkClaims | FastifyReply => {
    const r = links.verify(token, now());
    if (r.ok) return r.claims;
    if (r.reason === 'expired')
      return page(
        reply,
        410,
        'Link expired',
        '<h1>This link has expired</h1><p class="muted">Links in notifications work for 24 hours. Open the incident in Mainstay instead.</p>',
      );
    return page(
      reply,
      404,
      'Invalid link',
      '<h1>This link is not valid</h1><p class="muted">It may have been cut short by your mail or chat app.</p>',
    );
  };
  const Params = z.object({ token: z.string().min(1).max(600) });
  return [
    defineRoute({
      method: 'GET',
      url: '/a/:token',
      summary: 'Confirmation page of a signed acknowledge/resolve link',
      tags: ['incidents'],
      access: 'public',
      params: Params,
      response: null,
      handler: async ({ params, reply }) => {
        const claims = check(params.token, reply);
        if (!('incidentId' in claims)) return claims;
        let inc: Awaited<ReturnType<IncidentsService['get']>>;
        try {
          inc = await svc.get(claims.incidentId);
        } catch {
          return page(reply, 404, 'Unknown incident', '<h1>This incident no longer exists</h1>');
        }
        const verb = VERB[claims.action];
        // Nothing left to do: say so instead of offering a button that can only fail or do nothing.
        const done = inc.status === 'resolved' || (claims.action === 'acknowledge' && inc.status === 'acknowledged');
        if (done) {
          const by = inc.status === 'resolved' ? inc.resolvedBy : inc.acknowledgedBy;
          return page(
            reply,
            200,
            `#${inc.number} ${inc.status}`,
            `<h1>Incident #${inc.number} is already ${esc(inc.status)}</h1><p><strong>${esc(inc.title)}</strong>${by ? `<br><span class="muted">by ${esc(shownActor(by))}</span>` : ''}</p><p class="muted">Nothing to do here; you can close this page.</p>`,
          );
        }
        return page(
          reply,
          200,
          `${verb} #${inc.number}`,
          `<h1>${esc(verb)} incident #${inc.number}?</h1><p><strong>${esc(inc.title)}</strong><br><span class="muted">${esc(inc.severity)} · ${esc(inc.status)}${inc.service ? ` · ${esc(inc.service)}` : ''}</span></p>
<form method="post"><button type="submit"${claims.action === 'resolve' ? ' class="danger"' : ''}>${esc(verb)}</button></form>`,
        );
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/a/:token',
      summary: 'Carry out a signed acknowledge/resolve link',
      tags: ['incidents'],
      access: 'public',
      params: Params,
      response: null,
      handler: async ({ params, reply, requestId }) => {
        const claims = check(params.token, reply);
        if (!('incidentId' in claims)) return claims;
        try {
          const inc = await svc.transition(claims.incidentId, claims.action, `link:${claims.action}`, {
            ...SYSTEM_ACTOR,
            name: `signed link (${claims.action})`,
            requestId,
          });
          return page(
            reply,
            200,
            `#${inc.number} ${inc.status}`,
            `<h1>Incident #${inc.number} is ${esc(inc.status)}</h1><p><strong>${esc(inc.title)}</strong></p><p class="muted">You can close this page.</p>`,
          );
        } catch (err) {
          if (err instanceof ConflictError) return page(reply, 409, 'Already resolved', `<h1>${esc(err.message)}</h1>`);
          if (err instanceof NotFoundError)
            return page(reply, 404, 'Unknown incident', '<h1>This incident no longer exists</h1>');
          throw err;
        }
      },
    }),
  ];
}
