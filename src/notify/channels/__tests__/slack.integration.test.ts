import { afterEach, describe, expect, it } from 'vitest';
import { sendToChannel } from '../index.js';
import { REDACTED } from '../send-guard.js';
import { answer, type FakeServer, fakeServer } from './support/fake-server.js';
import { channel, context, LINKS, page, UA } from './support/fixtures.js';

const HOOK_PATH = '/services/T0001/B0002/XoXoSecretPart123';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function slack(status = 200, body: unknown = 'ok') {
  server = await fakeServer(answer(status, body));
  return {
    spec: channel({ type: 'slack', urlSecret: 'slack-url' }),
    ctx: context({ 'slack-url': `${server.base}${HOOK_PATH}` }),
  };
}

function buttons(body: string): { text: string; url: string; style?: string }[] {
  const blocks = JSON.parse(body).blocks as { type: string; elements?: { text: { text: string }; url: string }[] }[];
  const actions = blocks.find((b) => b.type === 'actions');
  return (actions?.elements ?? []).map((e) => ({ ...e, text: e.text.text }));
}

describe('slack channel', () => {
  it('POSTs Block Kit with a text fallback and link buttons to the secret webhook URL', async () => {
    const { spec, ctx } = await slack();
    const result = await sendToChannel(spec, undefined, page({ title: '[SEV2] #42 <Database> & down' }), ctx);

    expect(result).toMatchObject({ ok: true, retryable: false, statusCode: 200, response: 'ok' });
    const [req] = server?.requests ?? [];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe(HOOK_PATH);
    expect(req?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req?.headers['user-agent']).toBe(UA);
    expect(JSON.parse(req?.body ?? '')).toEqual({
      text: '[SEV2] #42 &lt;Database&gt; &amp; down',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '[SEV2] #42 <Database> & down' } },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'primary db-1 is not accepting connections\n3 alerts' },
          fields: [
            { type: 'mrkdwn', text: '*Severity*\nSEV2' },
            { type: 'mrkdwn', text: '*Status*\ntriggered' },
            { type: 'mrkdwn', text: '*Service*\npayments' },
            { type: 'mrkdwn', text: '*Urgency*\nhigh' },
          ],
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: 'incident.triggered · <!date^1772359170^{date_short_pretty} {time}|2026-03-01T09:59:30.000Z> · paging Ada Lovelace',
            },
          ],
        },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: 'mainstay-acknowledge',
              text: { type: 'plain_text', text: 'Acknowledge' },
              url: LINKS.acknowledge,
              style: 'primary',
            },
            {
              type: 'button',
              action_id: 'mainstay-resolve',
              text: { type: 'plain_text', text: 'Resolve' },
              url: LINKS.resolve,
              style: 'danger',
            },
            { type: 'button', action_id: 'mainstay-view', text: { type: 'plain_text', text: 'Open' }, url: LINKS.view },
          ],
        },
      ],
    });
  });

  it('a resolved incident offers only Open', async () => {
    const { spec, ctx } = await slack();
    await sendToChannel(spec, undefined, page({ event: 'incident.resolved', incident: { status: 'resolved' } }), ctx);
    expect(buttons(server?.requests[0]?.body ?? '').map((b) => b.text)).toEqual(['Open']);
  });

  it('an acknowledged incident offers Resolve and Open; an absent link is no button', async () => {
    const { spec, ctx } = await slack();
    await sendToChannel(spec, undefined, page({ incident: { status: 'acknowledged' } }), ctx);
    expect(buttons(server?.requests[0]?.body ?? '').map((b) => b.text)).toEqual(['Resolve', 'Open']);

    await sendToChannel(spec, undefined, page({ links: { view: LINKS.view } }), ctx);
    expect(buttons(server?.requests[1]?.body ?? '').map((b) => b.text)).toEqual(['Open']);
  });

  it("a 4xx is not retryable and carries Slack's reason, never the webhook URL", async () => {
    const { spec, ctx } = await slack(404, 'no_service');
    const result = await sendToChannel(spec, undefined, page(), ctx);
    expect(result).toMatchObject({ ok: false, retryable: false, statusCode: 404 });
    expect(result.error).toContain('no_service');
    expect(JSON.stringify(result)).not.toContain('XoXoSecretPart123');
  });

  it('a proxy that echoes the request path gets the webhook path scrubbed from the response', async () => {
    server = await fakeServer((req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`upstream failed for ${req.path}`);
    });
    const spec = channel({ type: 'slack', urlSecret: 'slack-url' });
    const result = await sendToChannel(spec, undefined, page(), context({ 'slack-url': `${server.base}${HOOK_PATH}` }));
    expect(result).toMatchObject({ ok: false, retryable: true, response: `upstream failed for ${REDACTED}` });
    expect(JSON.stringify(result)).not.toContain('XoXoSecretPart123');
  });
});
