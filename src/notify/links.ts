import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed action links in notifications (acknowledge / resolve from an email, Slack or SMS without a
 * session). A token names one incident, one action and an expiry, and an HMAC-SHA256 (keyed by a key
 * derived from the instance's secret key) covers all three, so a link cannot be replayed after it
 * expires, turned into the other action, or pointed at another incident.
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

const ACTION_CODE = { acknowledge: 'a', resolve: 'r' } as const;
const CODE_ACTION: Record<string, LinkAction> = { a: 'acknowledge', r: 'resolve' };
/** 128 bits of HMAC-SHA256, base64url: short enough for SMS and for a URL path segment. */
const MAC_CHARS = 22;

export class ActionLinks {
  constructor(private readonly key: Buffer) {}

  /** `<incident>.<a|r>.<expiry seconds, base 36>.<mac>` */
  sign(claims: LinkClaims): string {
    const body = `${claims.incidentId}.${ACTION_CODE[claims.action]}.${Math.floor(claims.expiresAt / 1000).toString(36)}`;
    return `${body}.${this.mac(body)}`;
  }

  verify(token: string, now: number): LinkCheck {
    const parts = token.split('.');
    if (parts.length !== 4) return { ok: false, reason: 'malformed' };
    const [incidentId, code, exp, mac] = parts as [string, string, string, string];
    const action = CODE_ACTION[code];
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(incidentId) || !action || !/^[0-9a-z]{1,10}$/.test(exp))
      return { ok: false, reason: 'malformed' };
    const expected = Buffer.from(this.mac(`${incidentId}.${code}.${exp}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, reason: 'bad-signature' };
    const claims: LinkClaims = { incidentId, action, expiresAt: Number.parseInt(exp, 36) * 1000 };
    if (now >= claims.expiresAt) return { ok: false, reason: 'expired', claims };
    return { ok: true, claims };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(`action-link.${body}`).digest('base64url').slice(0, MAC_CHARS);
  }
}
