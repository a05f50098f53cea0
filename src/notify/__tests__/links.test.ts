import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ActionLinks } from '../links.js';

describe('signed action links', () => {
  const links = new ActionLinks(randomBytes(32));
  const now = Date.parse('2026-11-23T10:00:00Z');
  const token = links.sign({
    incidentId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    action: 'acknowledge',
    expiresAt: now + 3_600_000,
  });

  it('verify gives back what was signed until it expires', () => {
    expect(links.verify(token, now)).toEqual({
      ok: true,
      claims: { incidentId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', action: 'acknowledge', expiresAt: now + 3_600_000 },
    });
    expect(token.length).toBeLessThan(100); // fits a URL path segment (Fastify's maxParamLength) and an SMS
  });

  it('is refused after it expires', () => {
    expect(links.verify(token, now + 3_600_000)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('cannot be turned into the other action, another incident or a later expiry', () => {
    const [id, , exp, mac] = token.split('.');
    expect(links.verify(`${id}.r.${exp}.${mac}`, now)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(links.verify(`0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c.a.${exp}.${mac}`, now)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    const later = (Number.parseInt(exp as string, 36) + 86_400).toString(36);
    expect(links.verify(`${id}.a.${later}.${mac}`, now)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('a token signed with another key is refused, and garbage is malformed', () => {
    const other = new ActionLinks(randomBytes(32));
    expect(other.verify(token, now)).toMatchObject({ ok: false, reason: 'bad-signature' });
    for (const bad of ['', 'x', 'a.b.c', 'a.z.1.mac', '../../etc.a.1.x', `${token}.extra`])
      expect(links.verify(bad, now).ok).toBe(false);
  });
});
