import { afterEach, describe, expect, it } from 'vitest';
import { sendToChannel } from '../index.js';
import { REDACTED } from '../send-guard.js';
import { answer, type FakeServer, fakeServer } from './support/fake-server.js';
import { channel, context, LINKS, page, UA } from './support/fixtures.js';

const TOKEN = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const OK = { ok: true, result: { message_id: 7 } };

async function telegram(status = 200, body: unknown = OK) {
  server = await fakeServer(answer(status, body));
  return {
    spec: channel({ type: 'telegram', baseUrl: server.base, botTokenSecret: 'tg-bot', chatId: '-1001234567890' }),
    ctx: context({ 'tg-bot': TOKEN }),
  };
}

describe('telegram channel', () => {
  it('POSTs sendMessage with the bot token in the path, escaped HTML and URL buttons', async () => {
    const { spec, ctx } = await telegram();
    const msg = page({ title: '[SEV2] #42 <b>DB</b> & co', text: 'x < y' });
    const result = await sendToChannel(spec, undefined, msg, ctx);

    expect(result).toMatchObject({ ok: true, retryable: false, statusCode: 200 });
    const [req] = server?.requests ?? [];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['user-agent']).toBe(UA);
    expect(JSON.parse(req?.body ?? '')).toEqual({
      chat_id: '-1001234567890',
      text: '<b>[SEV2] #42 &lt;b&gt;DB&lt;/b&gt; &amp; co</b>\nx &lt; y',
      parse_mode: 'HTML',
      disable_web_page_preview: true,
      reply_markup: {
        inline_keyboard: [
          [
            { text: 'Acknowledge', url: LINKS.acknowledge },
            { text: 'Resolve', url: LINKS.resolve },
          ],
          [{ text: 'Open', url: LINKS.view }],
        ],
      },
    });
  });

  it("a contact method's chat id replaces the channel's; a resolved incident has only Open", async () => {
    const { spec, ctx } = await telegram();
    await sendToChannel(spec, '@mainstay_ops', page({ incident: { status: 'resolved' } }), ctx);
    const body = JSON.parse(server?.requests[0]?.body ?? '');
    expect(body.chat_id).toBe('@mainstay_ops');
    expect(body.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Open', url: LINKS.view }]] });
  });

  it('429 with parameters.retry_after is retryable after that many seconds', async () => {
    const { spec, ctx } = await telegram(429, {
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 17',
      parameters: { retry_after: 17 },
    });
    const result = await sendToChannel(spec, undefined, page(), ctx);
    expect(result).toMatchObject({ ok: false, retryable: true, statusCode: 429, retryAfterMs: 17_000 });
    expect(result.error).toContain('Telegram 429 Too Many Requests');
  });

  it("a 400 is not retryable, with Telegram's description and never the token", async () => {
    const { spec, ctx } = await telegram(400, {
      ok: false,
      error_code: 400,
      description: 'Bad Request: chat not found',
    });
    const result = await sendToChannel(spec, undefined, page(), ctx);
    expect(result).toMatchObject({ ok: false, retryable: false, statusCode: 400 });
    expect(result.error).toContain('Telegram 400 Bad Request: chat not found');
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('a server that echoes the request path gets the token scrubbed from the response excerpt', async () => {
    server = await fakeServer((req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end(`no route for POST ${req.path}`);
    });
    const spec = channel({ type: 'telegram', baseUrl: server.base, botTokenSecret: 'tg-bot', chatId: '1' });
    const result = await sendToChannel(spec, undefined, page(), context({ 'tg-bot': TOKEN }));
    expect(result).toMatchObject({ ok: false, retryable: false, statusCode: 404 });
    expect(result.response).toBe(`no route for POST /bot${REDACTED}/sendMessage`);
    expect(JSON.stringify(result)).not.toContain(TOKEN.split(':')[1]);
  });

  it('a secret that is not a bot token fails before any request, without quoting it', async () => {
    const { spec } = await telegram();
    const result = await sendToChannel(spec, undefined, page(), context({ 'tg-bot': 'https://oops/not-a-token' }));
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.error).toContain('tg-bot');
    expect(result.error).not.toContain('not-a-token');
    expect(server?.requests).toHaveLength(0);
  });
});
