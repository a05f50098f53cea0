import { afterEach, describe, expect, it } from 'vitest';
import { sendToChannel } from '../index.js';
import { ntfyPayload } from '../ntfy.channel.js';
import { answer, type FakeServer, fakeServer } from './support/fake-server.js';
import { channel, context, LINKS, page, UA } from './support/fixtures.js';

const TOKEN = 'tk_ntfyAccessToken0001';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function ntfy(status = 200, body: unknown = { id: 'msg1', event: 'message' }, over = {}) {
  server = await fakeServer(answer(status, body));
  return {
    spec: channel({ type: 'ntfy', baseUrl: `${server.base}/`, topic: 'ops-pages', tokenSecret: 'ntfy-token', ...over }),
    ctx: context({ 'ntfy-token': TOKEN }),
  };
}

describe('ntfy channel', () => {
  it('POSTs the JSON publish body to the server root with a bearer token', async () => {
    const { spec, ctx } = await ntfy();
    const msg = page();
    const result = await sendToChannel(spec, undefined, msg, ctx);

    expect(result).toMatchObject({ ok: true, retryable: false, statusCode: 200 });
    const [req] = server?.requests ?? [];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/');
    expect(req?.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: `Bearer ${TOKEN}`,
      'user-agent': UA,
    });
    expect(JSON.parse(req?.body ?? '')).toEqual({
      topic: 'ops-pages',
      title: msg.title,
      message: msg.text,
      priority: 5,
      tags: ['rotating_light', 'SEV2'],
      click: LINKS.view,
      actions: [
        { action: 'http', label: 'Acknowledge', url: LINKS.acknowledge, method: 'POST', clear: true },
        { action: 'http', label: 'Resolve', url: LINKS.resolve, method: 'POST', clear: true },
        { action: 'view', label: 'Open', url: LINKS.view },
      ],
    });
  });

  it("a contact method's topic replaces the channel's, and no tokenSecret sends no Authorization", async () => {
    const { spec } = await ntfy(200, {}, { tokenSecret: undefined });
    await sendToChannel(spec, 'ada-phone', page(), context());
    expect(JSON.parse(server?.requests[0]?.body ?? '').topic).toBe('ada-phone');
    expect(server?.requests[0]?.headers.authorization).toBeUndefined();
  });

  it.each<[string, Parameters<typeof page>[0], number, string]>([
    ['triggered, high urgency', {}, 5, 'rotating_light'],
    ['triggered, low urgency', { incident: { urgency: 'low' } }, 3, 'rotating_light'],
    ['escalated', { event: 'incident.escalated' }, 4, 'arrow_double_up'],
    ['reminder', { event: 'incident.reminder' }, 3, 'bell'],
    ['acknowledged', { event: 'incident.acknowledged' }, 3, 'eyes'],
    ['resolved', { event: 'incident.resolved' }, 3, 'white_check_mark'],
  ])('%s: priority %i, tag %s', (_name, over, priority, tag) => {
    const p = ntfyPayload(page(over), 't');
    expect(p.priority).toBe(priority);
    expect(p.tags[0]).toBe(tag);
  });

  it('a resolved incident has only the view action', () => {
    const p = ntfyPayload(page({ event: 'incident.resolved', incident: { status: 'resolved' } }), 't');
    expect(p.actions).toEqual([{ action: 'view', label: 'Open', url: LINKS.view }]);
  });

  it("a 403 is not retryable, with ntfy's error and without the token", async () => {
    const { spec, ctx } = await ntfy(403, {
      code: 40301,
      http: 403,
      error: 'forbidden',
      link: 'https://ntfy.sh/docs/publish/#authentication',
    });
    const result = await sendToChannel(spec, undefined, page(), ctx);
    expect(result).toMatchObject({ ok: false, retryable: false, statusCode: 403 });
    expect(result.error).toContain('40301 forbidden');
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });
});
