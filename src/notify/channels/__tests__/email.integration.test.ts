import { afterEach, describe, expect, it } from 'vitest';
import { mimePart, type RecordingSmtp, recordingSmtp, smtpReply } from '../../../../test/support/smtp-server.js';
import { sendToChannel } from '../index.js';
import { closedPort } from './support/fake-server.js';
import { channel, context, LINKS, page } from './support/fixtures.js';

const PASSWORD = 'smtp-pa55-w0rd';

let smtp: RecordingSmtp | undefined;
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

function emailChannel(port: number, over: Record<string, unknown> = {}) {
  return channel({ type: 'email', smarthost: `127.0.0.1:${port}`, from: 'pager@mainstay.example', ...over });
}

describe('email channel', () => {
  it('sends text and HTML parts with escaped values, the links as buttons and the idempotency header', async () => {
    smtp = await recordingSmtp();
    const msg = page({ title: '[SEV2] #42 <script>x</script> down', text: 'a & b\n"quoted"' });
    const result = await sendToChannel(emailChannel(smtp.port), 'ada@example.com', msg, context());

    expect(result).toMatchObject({ ok: true, retryable: false, statusCode: 250 });
    const [mail] = smtp.mails;
    expect(mail?.from).toBe('pager@mainstay.example');
    expect(mail?.to).toEqual(['ada@example.com']);
    const raw = mail?.raw ?? '';
    expect(raw).toMatch(/^Subject: \[SEV2\] #42 <script>x<\/script> down$/m);
    expect(raw).toMatch(/^X-Mainstay-Idempotency-Key: dlv_01HZX$/m);
    expect(raw).toMatch(/^Message-ID: <dlv_01HZX@mainstay\.example>$/im);
    expect(raw).toMatch(/^Auto-Submitted: auto-generated$/m);

    const html = mimePart(raw, 'text/html');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toMatch(/a &amp; b<br>\r?\n&quot;quoted&quot;/);
    expect(html).toMatch(new RegExp(`<a href="${LINKS.acknowledge}"[^>]*>Acknowledge</a>`));
    expect(html).toMatch(new RegExp(`<a href="${LINKS.resolve}"[^>]*>Resolve</a>`));
    expect(html).toMatch(new RegExp(`<a href="${LINKS.view}"[^>]*>Open</a>`));
    expect(html).toContain('<td style="padding:4px 12px 4px 0;vertical-align:top">payments</td>');

    const text = mimePart(raw, 'text/plain');
    expect(text).toMatch(/a & b\r?\n"quoted"/);
    expect(text).toContain('Severity: SEV2');
    expect(text).toContain(`Acknowledge: ${LINKS.acknowledge}`);
    expect(text).toContain(`Resolve: ${LINKS.resolve}`);
    expect(text).toContain(`Open: ${LINKS.view}`);
  });

  it("without an address it mails the channel's to; without from it uses the context's sender", async () => {
    smtp = await recordingSmtp();
    const spec = emailChannel(smtp.port, { to: ['ops@example.com', 'db@example.com'], from: undefined });
    const result = await sendToChannel(spec, undefined, page(), context());
    expect(result.ok).toBe(true);
    expect(smtp.mails[0]).toMatchObject({ from: 'pager@mainstay.example', to: ['ops@example.com', 'db@example.com'] });
  });

  it("uses the context's SMTP URL when the channel has no smarthost", async () => {
    smtp = await recordingSmtp();
    const spec = channel({ type: 'email' });
    const result = await sendToChannel(
      spec,
      'a@example.com',
      page(),
      context({}, { smtpUrl: `smtp://127.0.0.1:${smtp.port}` }),
    );
    expect(result.ok).toBe(true);
    expect(smtp.mails).toHaveLength(1);
  });

  it('logs in with authUsername and the revealed password; a refused login never shows the password', async () => {
    smtp = await recordingSmtp({
      onAuth: (auth, _s, cb) =>
        auth.password === PASSWORD ? cb(null, { user: auth.username }) : cb(smtpReply(535, 'bad credentials')),
    });
    const spec = emailChannel(smtp.port, { authUsername: 'mainstay', authPasswordSecret: 'smtp-pass' });
    const ok = await sendToChannel(spec, 'a@example.com', page(), context({ 'smtp-pass': PASSWORD }));
    expect(ok.ok).toBe(true);
    expect(smtp.mails[0]?.user).toBe('mainstay');

    const denied = await sendToChannel(spec, 'a@example.com', page(), context({ 'smtp-pass': 'wrong-pass' }));
    expect(denied).toMatchObject({ ok: false, retryable: false, statusCode: 535 });
    expect(JSON.stringify(denied)).not.toContain('wrong-pass');
  });

  it.each([
    { code: 550, retryable: false },
    { code: 451, retryable: true },
  ])('RCPT TO answered $code: retryable $retryable', async ({ code, retryable }) => {
    smtp = await recordingSmtp({ onRcptTo: (_a, _s, cb) => cb(smtpReply(code, 'mailbox says no')) });
    const result = await sendToChannel(emailChannel(smtp.port), 'a@example.com', page(), context());
    expect(result).toMatchObject({ ok: false, retryable, statusCode: code });
    expect(result.error).toContain('mailbox says no');
  });

  it('a server that is down is retryable', async () => {
    const result = await sendToChannel(emailChannel(await closedPort()), 'a@example.com', page(), context());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toContain('ECONNREFUSED');
  });

  it('no smarthost and no SMTP URL is a setup error, not retryable', async () => {
    const result = await sendToChannel(channel({ type: 'email' }), 'a@example.com', page(), context());
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.error).toContain('MAINSTAY_SMTP_URL');
  });
});
