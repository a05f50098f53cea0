import { afterEach, describe, expect, it } from 'vitest';
import { type SlackTarget, SlackTargetSchema } from '../../config.model.js';
import { deliverSlack, SLACK_MAX_ALERTS, type SlackBlock, type SlackMessage } from '../slack.js';
import { alert, notification } from './support/fixtures.js';
import { type RecordingServer, recordingServer } from './support/http-server.js';

const UA = 'Mainstay/0.1 (test)';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function target(over: Partial<SlackTarget> = {}): SlackTarget {
  return SlackTargetSchema.parse({ urlSecret: 'slack-url', ...over });
}

async function slack(status = 200, body = 'ok', headers: Record<string, string> = {}) {
  server = await recordingServer((_req, res) => {
    res.writeHead(status, { 'Content-Type': 'text/html', ...headers });
    res.end(body);
  });
  return server;
}

const posted = (s: RecordingServer, i = 0): SlackMessage => JSON.parse(s.requests[i]?.body ?? 'null');
const texts = (blocks: SlackBlock[]) =>
  blocks.map((b) => (b.type === 'context' ? b.elements.map((e) => e.text).join(' ') : b.text.text));

describe('deliverSlack', () => {
  it('posts a header, a section and a context per alert, with channel and username', async () => {
    const s = await slack();
    const a = alert({
      summary: 'disk /var is full',
      severity: 'critical',
      labels: { alertname: 'DiskFull', instance: 'db-1' },
      url: 'https://mainstay.example/alerts/alr_1',
      startsAt: '2026-03-01T10:00:00.000Z',
      generatorURL: '',
    });
    const result = await deliverSlack(s.url, target({ channel: '#ops', username: 'mainstay' }), notification([a]), {
      userAgent: UA,
    });

    expect(result).toMatchObject({ ok: true, retryable: false, statusCode: 200, response: 'ok' });
    expect(s.requests[0]?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(s.requests[0]?.headers['user-agent']).toBe(UA);
    expect(posted(s)).toEqual({
      text: '[FIRING:1] DiskFull',
      channel: '#ops',
      username: 'mainstay',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '[FIRING:1] DiskFull' } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: ':red_circle: *disk /var is full*\n*Severity:* critical   *Status:* firing\n`alertname=DiskFull` `instance=db-1`',
          },
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: '<https://mainstay.example/alerts/alr_1|Open in Mainstay> · started <!date^1772359200^{date_short_pretty} {time}|2026-03-01T10:00:00.000Z>',
            },
          ],
        },
      ],
    });
  });

  it('leaves channel and username out when the target does not set them', async () => {
    const s = await slack();
    await deliverSlack(s.url, target(), notification([alert()]), { userAgent: UA });
    expect(Object.keys(posted(s)).sort()).toEqual(['blocks', 'text']);
  });

  it(`shows ${SLACK_MAX_ALERTS} alerts, then "and N more" counting earlier truncation`, async () => {
    const s = await slack();
    const alerts = Array.from({ length: 12 }, () => alert());
    await deliverSlack(s.url, target(), notification(alerts, { truncatedAlerts: 3 }), { userAgent: UA });
    const { blocks } = posted(s);
    expect(blocks.filter((b) => b.type === 'section')).toHaveLength(SLACK_MAX_ALERTS + 1);
    expect(blocks.at(-1)).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '_and 5 more alerts_' } });
    expect(blocks.length).toBeLessThanOrEqual(50);
  });

  it("escapes Slack's control characters so a label cannot mention @channel or forge a link", async () => {
    const s = await slack();
    const a = alert({ summary: '<!channel> a & b', labels: { alertname: 'X', path: '<https://evil|click>' } });
    await deliverSlack(s.url, target(), notification([a]), { userAgent: UA });
    const all = texts(posted(s).blocks).join('\n');
    expect(all).toContain('&lt;!channel&gt; a &amp; b');
    expect(all).toContain('`path=&lt;https://evil|click&gt;`');
    expect(all).not.toContain('<!channel>');
  });

  it('a resolved group has a [RESOLVED] header', async () => {
    const s = await slack();
    await deliverSlack(s.url, target(), notification([alert({ status: 'resolved' })]), { userAgent: UA });
    expect(posted(s).blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '[RESOLVED] DiskFull' } });
    expect(texts(posted(s).blocks)[1]).toContain(':large_green_circle:');
  });

  it('429 with Retry-After is retryable after the given wait', async () => {
    const s = await slack(429, 'rate_limited', { 'Retry-After': '30' });
    const result = await deliverSlack(s.url, target(), notification([alert()]), { userAgent: UA });
    expect(result).toMatchObject({ ok: false, retryable: true, statusCode: 429, retryAfterMs: 30_000 });
  });

  it("a 4xx is not retryable and names Slack's reason", async () => {
    const s = await slack(404, 'no_service');
    const result = await deliverSlack(s.url, target(), notification([alert()]), { userAgent: UA });
    expect(result).toMatchObject({ ok: false, retryable: false, statusCode: 404 });
    expect(result.error).toContain('no_service');
  });

  it('a 5xx is retryable', async () => {
    const s = await slack(503, 'service_unavailable');
    const result = await deliverSlack(s.url, target(), notification([alert()]), { userAgent: UA });
    expect(result).toMatchObject({ ok: false, retryable: true, statusCode: 503 });
  });
});
