import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { doc, Harness, type Hook, startReceiver } from './fixture.js';

const DAY = 86_400_000;

/** Signed acknowledge/resolve links: expiry, tampering, single purpose, one incident, GET is safe. */
describe.each(engines())('signed action links on %s', (engine) => {
  let hook: Hook;
  let h: Harness;
  let a: { id: string; number: number };
  let b: { id: string; number: number };

  /** GET or POST a link path without credentials, as a browser would. */
  const open = async (method: 'GET' | 'POST', url: string) => {
    const r = await h.s.app.http.inject({ method, url: new URL(url, 'http://x').pathname });
    return { status: r.statusCode, body: r.body, type: String(r.headers['content-type']) };
  };
  const links = async (id: string) => {
    const r = await h.call('GET', `/api/v1/incidents/${id}/action-links`);
    expect(r.status).toBe(200);
    return r.body as { acknowledge: string; resolve: string; expiresAt: string };
  };
  const status = async (id: string) => (await h.get(id)).status;
  /** The token of a link URL, split into `<incident>.<action>.<expiry>.<mac>`. */
  const parts = (url: string) => (new URL(url).pathname.split('/').pop() as string).split('.');

  beforeAll(async () => {
    hook = await startReceiver();
  });
  afterAll(() => hook?.close());
  beforeEach(async () => {
    h = await new Harness(engine, hook, '2026-11-23T10:00:00Z').start();
    await h.user('alice');
    await h.applyOk([
      doc('Channel', 'pager-hook', { type: 'webhook', url: `${hook.url}/page` }),
      doc('EscalationPolicy', 'ops', { levels: [{ targets: [{ user: 'alice@example.test' }] }] }),
    ]);
    await h.contact('alice', 'pager', 'pager-hook');
    a = await h.incident({ title: 'Incident A', policy: 'ops' });
    b = await h.incident({ title: 'Incident B', policy: 'ops' });
    await h.run();
  });
  afterEach(() => h?.close());

  it('the action-links endpoint returns 24-hour links that work: acknowledge, then resolve', async () => {
    const l = await links(a.id);
    expect(l.expiresAt).toBe(new Date(h.clock.now() + DAY).toISOString());
    expect(l.acknowledge).not.toBe(l.resolve);
    const acked = await open('POST', l.acknowledge);
    expect(acked.status).toBe(200);
    expect(acked.type).toContain('text/html');
    expect(acked.body).toContain(`Incident #${a.number} is acknowledged`);
    expect((await h.get(a.id)).acknowledgedBy).toBe('link:acknowledge');
    // Acknowledging again through the link is idempotent.
    expect((await open('POST', l.acknowledge)).status).toBe(200);
    const resolved = await open('POST', l.resolve);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toContain(`Incident #${a.number} is resolved`);
    expect(await h.get(a.id)).toMatchObject({ status: 'resolved', resolvedBy: 'link:resolve' });
    // The acknowledge link of a resolved incident answers 409 and changes nothing.
    const late = await open('POST', l.acknowledge);
    expect(late.status).toBe(409);
    expect(late.body).toContain(`incident #${a.number} is resolved`);
    expect(await status(b.id)).toBe('triggered');
  });

  it('the links in a page work too, and GET only shows a confirmation without changing anything', async () => {
    const page = hook.got.find((g) => g.path === '/page' && g.body.incident.id === a.id);
    const { acknowledge, resolve } = page?.body.links ?? {};
    for (const url of [acknowledge, resolve, acknowledge]) {
      const shown = await open('GET', url);
      expect(shown.status).toBe(200);
      expect(shown.body).toContain('<form method="post">');
      expect(shown.body).toContain('Incident A');
    }
    expect(await status(a.id)).toBe('triggered');
    const types = await h.types(a.id);
    expect(types).not.toContain('acknowledged');
    expect((await open('POST', resolve)).status).toBe(200);
    expect(await status(a.id)).toBe('resolved');
  });

  it('an expired link is a 410 page, for GET and POST, and changes nothing', async () => {
    const l = await links(a.id);
    h.clock.advance(DAY - 1_000);
    expect((await open('GET', l.acknowledge)).status).toBe(200);
    h.clock.advance(1_000);
    for (const method of ['GET', 'POST'] as const) {
      const r = await open(method, l.acknowledge);
      expect(r.status).toBe(410);
      expect(r.body).toContain('This link has expired');
    }
    expect((await open('POST', l.resolve)).status).toBe(410);
    expect(await status(a.id)).toBe('triggered');
  });

  it('a tampered link is a 404 page: changed signature, expiry, action or shape', async () => {
    const l = await links(a.id);
    const [id, action, exp, mac] = parts(l.acknowledge) as [string, string, string, string];
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    const forged = [
      `${id}.${action}.${exp}.${flip(mac[0] as string)}${mac.slice(1)}`,
      `${id}.${action}.${(Number.parseInt(exp, 36) + 86_400).toString(36)}.${mac}`,
      `${id}.r.${exp}.${mac}`,
      `${id}.${action}.${exp}`,
      'not-a-token',
    ];
    for (const token of forged) {
      for (const method of ['GET', 'POST'] as const) {
        const r = await open(method, `/a/${token}`);
        expect(r.status, `${method} ${token}`).toBe(404);
        expect(r.body).toContain('This link is not valid');
      }
    }
    expect(await status(a.id)).toBe('triggered');
  });

  it('a link for incident A cannot act on incident B', async () => {
    const l = await links(a.id);
    const [, action, exp, mac] = parts(l.resolve);
    const r = await open('POST', `/a/${b.id}.${action}.${exp}.${mac}`);
    expect(r.status).toBe(404);
    expect(await status(b.id)).toBe('triggered');
    expect(await status(a.id)).toBe('triggered');
    // B's own link does work on B.
    expect((await open('POST', (await links(b.id)).resolve)).status).toBe(200);
    expect(await status(b.id)).toBe('resolved');
    expect(await status(a.id)).toBe('triggered');
  });
});
