import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed action links in notifications (acknowledge / resolve from an email, Slack or SMS without a
 * session). A token is `v1.<payload>.<mac>`, base64url: the payload names one incident, one action
 * and an expiry, and the HMAC-SHA256 covers all three, so a link cannot be replayed after it expires,
 * turned into the other action, or pointed at another incident.
 */

export type LinkAction = 'acknowledge' | 'resolve';

export interface LinkClaims {
  incidentId: string;
  action: LinkAction;
  /** Expiry, epoch ms. */
  expiresAt: number;
}

export type LinkCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired'; claims?: LinkClaims };

export class ActionLinks {
  constructor(private readonly key: Buffer) {}

  sign(claims: LinkClaims): string {
    const payload = Buffer.from(
      JSON.stringify({ i: claims.incidentId, a: claims.action, e: Math.floor(claims.expiresAt / 1000) }),
    ).toString('base64url');
    return `v1.${payload}.${this.mac(payload)}`;
  }

  verify(token: string, now: number): LinkCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1' || !parts[1] || !parts[2]) return { ok: false, reason: 'malformed' };
    const [, payload, mac] = parts as [string, string, string];
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, reason: 'bad-signature' };
    let parsed: { i?: unknown; a?: unknown; e?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (
      typeof parsed.i !== 'string' ||
      (parsed.a !== 'acknowledge' && parsed.a !== 'resolve') ||
      typeof parsed.e !== 'number'
    )
      return { ok: false, reason: 'malformed' };
    const claims: LinkClaims = { incidentId: parsed.i, action: parsed.a, expiresAt: parsed.e * 1000 };
    if (now >= claims.expiresAt) return { ok: false, reason: 'expired', claims };
    return { ok: true, claims };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(`action-link.${payload}`).digest('base64url');
  }
}
