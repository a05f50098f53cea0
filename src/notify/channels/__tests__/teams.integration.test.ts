import { afterEach, describe, expect, it } from 'vitest';
import { sendToChannel } from '../index.js';
import { answer, type FakeServer, fakeServer } from './support/fake-server.js';
import { channel, context, LINKS, page, UA } from './support/fixtures.js';

const FLOW_PATH = '/workflows/abc123/triggers/manual/paths/invoke?api-version=1&sig=S1gSecretValue';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function teams(status = 202, body: unknown = '') {
  server = await fakeServer(answer(status, body));
  return {
    spec: channel({ type: 'teams', urlSecret: 'teams-url' }),
    ctx: context({ 'teams-url': `${server.base}${FLOW_PATH}` }),
  };
}

describe('teams channel', () => {
  it('POSTs an Adaptive Card 1.4 message with facts and OpenUrl actions', async () => {
    const { spec, ctx } = await teams();
    const msg = page();
    const result = await sendToChannel(spec, undefined, msg, ctx);

    expect(result).toMatchObject({ ok: true, retryable: false, statusCode: 202 });
    const [req] = server?.requests ?? [];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe(FLOW_PATH);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['user-agent']).toBe(UA);
    expect(JSON.parse(req?.body ?? '')).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: msg.title, weight: 'bolder', size: 'medium', wrap: true },
              {
                type: 'FactSet',
                facts: [
                  { title: 'Severity', value: 'SEV2' },
                  { title: 'Status', value: 'triggered' },
                  { title: 'Service', value: 'payments' },
                  { title: 'Urgency', value: 'high' },
                ],
              },
              { type: 'TextBlock', text: msg.text, wrap: true },
            ],
            actions: [
              { type: 'Action.OpenUrl', title: 'Acknowledge', url: LINKS.acknowledge, style: 'positive' },
              { type: 'Action.OpenUrl', title: 'Resolve', url: LINKS.resolve, style: 'destructive' },
              { type: 'Action.OpenUrl', title: 'Open', url: LINKS.view },
            ],
          },
        },
      ],
    });
  });

  it('a resolved incident has only the Open action', async () => {
    const { spec, ctx } = await teams();
    await sendToChannel(spec, undefined, page({ incident: { status: 'resolved' } }), ctx);
    const card = JSON.parse(server?.requests[0]?.body ?? '').attachments[0].content;
    expect(card.actions.map((a: { title: string }) => a.title)).toEqual(['Open']);
  });

  it("a 400 is not retryable and carries the workflow's error, never the URL's signature", async () => {
    const { spec, ctx } = await teams(400, {
      error: { code: 'TriggerInputSchemaMismatch', message: 'The input body does not match the schema' },
    });
    const result = await sendToChannel(spec, undefined, page(), ctx);
    expect(result).toMatchObject({ ok: false, retryable: false, statusCode: 400 });
    expect(result.error).toContain('TriggerInputSchemaMismatch: The input body does not match the schema');
    expect(JSON.stringify(result)).not.toContain('S1gSecretValue');
  });
});
