import { afterEach, describe, expect, it } from 'vitest';
import { sendToChannel } from '../index.js';
import { SMS_MAX, smsBody } from '../twilio.channel.js';
import { answer, type FakeServer, fakeServer } from './support/fake-server.js';
import { channel, context, LINKS, page, UA } from './support/fixtures.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'f00dfacecafe0123456789abcdef0123';
const BASIC = `Basic ${Buffer.from(`${SID}:${AUTH_TOKEN}`).toString('base64')}`;

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function twilio(type: 'sms' | 'voice', status = 201, body: unknown = { sid: 'SM1', status: 'queued' }) {
  server = await fakeServer(answer(status, body));
  return {
    spec: channel({
      type,
      baseUrl: server.base,
      accountSid: SID,
      authTokenSecret: 'twilio-token',
      from: '+14155550100',
    }),
    ctx: context({ 'twilio-token': AUTH_TOKEN }),
  };
}

function form(body: string | undefined): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body ?? ''));
}

describe('twilio sms channel', () => {
  it('POSTs To, From and Body form-encoded to Messages.json with Basic auth', async () => {
    const { spec, ctx } = await twilio('sms');
    const result = await sendToChannel(spec, '+14155550123', page(), ctx);

    expect(result).toMatchObject({ ok: true, retryable: false, statusCode: 201 });
    const [req] = server?.requests ?? [];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(req?.headers).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded',
      authorization: BASIC,
      'user-agent': UA,
    });
    expect(form(req?.body)).toEqual({
      To: '+14155550123',
      From: '+14155550100',
      Body: `[SEV2] #42 Database down\nAck: ${LINKS.acknowledge}`,
    });
  });

  it('the body stays within 320 characters and keeps the ack link whole', () => {
    const body = smsBody(page({ title: `[SEV1] #7 ${'very long title '.repeat(40)}` }));
    expect(body.length).toBeLessThanOrEqual(SMS_MAX);
    expect(body.endsWith(`\nAck: ${LINKS.acknowledge}`)).toBe(true);
    expect(smsBody(page({ incident: { status: 'resolved' } }))).toBe(`[SEV2] #42 Database down\nOpen: ${LINKS.view}`);
  });

  it("Twilio's error code and message go into the error; 400 is not retryable; the token never appears", async () => {
    const { spec, ctx } = await twilio('sms', 400, {
      code: 21211,
      message: "The 'To' number +15005550001 is not a valid phone number.",
      more_info: 'https://www.twilio.com/docs/errors/21211',
      status: 400,
    });
    const result = await sendToChannel(spec, '+15005550001', page(), ctx);
    expect(result).toMatchObject({ ok: false, retryable: false, statusCode: 400 });
    expect(result.error).toContain("Twilio 21211: The 'To' number +15005550001 is not a valid phone number.");
    expect(JSON.stringify(result)).not.toContain(AUTH_TOKEN);
    expect(JSON.stringify(result)).not.toContain(BASIC.slice(6));
  });
});

describe('twilio voice channel', () => {
  it('POSTs Twiml that says the escaped message twice with a pause to Calls.json', async () => {
    const { spec, ctx } = await twilio('voice');
    const msg = page({ text: 'db-1 & db-2 <down>', incident: { title: 'Database "down"' } });
    const result = await sendToChannel(spec, '+14155550123', msg, ctx);

    expect(result.ok).toBe(true);
    const [req] = server?.requests ?? [];
    expect(req?.path).toBe(`/2010-04-01/Accounts/${SID}/Calls.json`);
    expect(req?.headers.authorization).toBe(BASIC);
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const said =
      'Mainstay triggered incident 42, severity SEV2: Database &quot;down&quot;. db-1 &amp; db-2 &lt;down&gt;';
    expect(form(req?.body)).toEqual({
      To: '+14155550123',
      From: '+14155550100',
      Twiml: `<Response><Say>${said}</Say><Pause length="1"/><Say>${said}</Say></Response>`,
    });
  });

  it('uses the channel number when no address is given; 429 is retryable with Retry-After', async () => {
    server = await fakeServer(answer(429, { code: 20429, message: 'Too Many Requests' }, { 'Retry-After': '3' }));
    const spec = channel({
      type: 'voice',
      baseUrl: server.base,
      accountSid: SID,
      authTokenSecret: 'twilio-token',
      from: '+14155550100',
      to: '+14155550199',
    });
    const result = await sendToChannel(spec, undefined, page(), context({ 'twilio-token': AUTH_TOKEN }));
    expect(form(server.requests[0]?.body).To).toBe('+14155550199');
    expect(result).toMatchObject({ ok: false, retryable: true, statusCode: 429, retryAfterMs: 3000 });
    expect(result.error).toContain('Twilio 20429');
  });
});
