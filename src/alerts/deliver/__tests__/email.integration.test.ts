import net, { type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { mimePart, type RecordingSmtp, recordingSmtp, smtpReply } from '../../../../test/support/smtp-server.js';
import { type EmailTarget, EmailTargetSchema } from '../../config.model.js';
import { deliverEmail } from '../email.js';
import { alert, notification } from './support/fixtures.js';
import { closedPort } from './support/http-server.js';

const FROM = 'Mainstay <alerts@mainstay.example>';
const SETTLE_SLACK_MS = 400;

let smtp: RecordingSmtp | undefined;
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

function target(port: number, over: Partial<EmailTarget> = {}): EmailTarget {
  return EmailTargetSchema.parse({ to: ['oncall@example.com'], smarthost: `127.0.0.1:${port}`, ...over });
}

describe('deliverEmail', () => {
  it('sends the subject, headers and an HTML body with every value escaped', async () => {
    smtp = await recordingSmtp();
    const a = alert({
      summary: 'disk <b>full</b>',
      labels: { alertname: 'DiskFull', path: '<script>alert(1)</script>' },
    });
    const n = notification([a, alert()]);
    const result = await deliverEmail(target(smtp.port), n, { from: FROM });

    expect(result).toMatchObject({ ok: true, retryable: false, statusCode: 250 });
    expect(result.response).toMatch(/^250 /);
    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail?.from).toBe('alerts@mainstay.example');
    expect(mail?.to).toEqual(['oncall@example.com']);
    expect(mail?.raw).toMatch(/^Subject: \[FIRING:2\] DiskFull$/m);
    expect(mail?.raw).toMatch(/^Message-ID: <ntf_01HZX@mainstay\.example>$/im);
    expect(mail?.raw).toMatch(/^X-Mainstay-Notification: ntf_01HZX$/m);
    expect(mail?.raw).toMatch(/^Auto-Submitted: auto-generated$/m);

    const html = mimePart(mail?.raw ?? '', 'text/html');
    expect(html).toContain('path=&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('disk &lt;b&gt;full&lt;/b&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain(`<a href="${a.url}">`);
    const text = mimePart(mail?.raw ?? '', 'text/plain');
    expect(text).toContain('path=<script>alert(1)</script>');
    expect(text).toContain('[2] Firing');
  });

  it('uses the default server URL, and its credentials, when the target has no smarthost', async () => {
    smtp = await recordingSmtp({ onAuth: (auth, _s, cb) => cb(null, { user: auth.username }) });
    const t = EmailTargetSchema.parse({ to: ['a@example.com'], from: 'other@example.org' });
    const result = await deliverEmail(t, notification([alert()]), {
      from: FROM,
      smtpUrl: `smtp://bob:s%40cret@127.0.0.1:${smtp.port}`,
    });
    expect(result.ok).toBe(true);
    expect(smtp.mails[0]).toMatchObject({ from: 'other@example.org', user: 'bob' });
  });

  it("logs in with the target's username and the resolved password", async () => {
    smtp = await recordingSmtp({
      onAuth: (auth, _s, cb) =>
        auth.password === 'pw' ? cb(null, { user: auth.username }) : cb(smtpReply(535, 'bad credentials')),
    });
    const ok = await deliverEmail(target(smtp.port, { authUsername: 'alice' }), notification([alert()]), {
      from: FROM,
      password: 'pw',
    });
    expect(ok.ok).toBe(true);
    expect(smtp.mails[0]?.user).toBe('alice');

    const denied = await deliverEmail(target(smtp.port, { authUsername: 'alice' }), notification([alert()]), {
      from: FROM,
      password: 'wrong',
    });
    expect(denied).toMatchObject({ ok: false, retryable: false, statusCode: 535 });
  });

  it.each([
    { code: 550, retryable: false },
    { code: 553, retryable: false },
    { code: 450, retryable: true },
    { code: 451, retryable: true },
  ])('RCPT TO answered $code: retryable $retryable (4yz transient, 5yz permanent)', async ({ code, retryable }) => {
    smtp = await recordingSmtp({ onRcptTo: (_a, _s, cb) => cb(smtpReply(code, 'mailbox says no')) });
    const result = await deliverEmail(target(smtp.port), notification([alert()]), { from: FROM });
    expect(result).toMatchObject({ ok: false, retryable, statusCode: code });
    expect(result.error).toContain('mailbox says no');
    expect(smtp.mails).toHaveLength(0);
  });

  it('a message rejected after DATA with 554 is not retryable', async () => {
    smtp = await recordingSmtp({
      onData(stream, _s, cb) {
        stream.resume();
        stream.on('end', () => cb(smtpReply(554, 'spam')));
      },
    });
    const result = await deliverEmail(target(smtp.port), notification([alert()]), { from: FROM });
    expect(result).toMatchObject({ ok: false, retryable: false, statusCode: 554 });
  });

  it('some recipients rejected is delivered (a retry would duplicate), the rejections reported', async () => {
    smtp = await recordingSmtp({
      onRcptTo: (a, _s, cb) => (a.address.startsWith('gone') ? cb(smtpReply(550, 'no such user')) : cb()),
    });
    const t = target(smtp.port, { to: ['oncall@example.com', 'gone@example.com'] });
    const result = await deliverEmail(t, notification([alert()]), { from: FROM });
    expect(result).toMatchObject({ ok: true, retryable: false });
    expect(result.error).toContain('gone@example.com');
    expect(smtp.mails[0]?.to).toEqual(['oncall@example.com']);
  });

  it('requireTls against a server without STARTTLS fails without sending, not retryable', async () => {
    smtp = await recordingSmtp();
    const result = await deliverEmail(target(smtp.port, { requireTls: true }), notification([alert()]), { from: FROM });
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(smtp.mails).toHaveLength(0);
  });

  it('a server that is down is retryable', async () => {
    const result = await deliverEmail(target(await closedPort()), notification([alert()]), { from: FROM });
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toContain('ECONNREFUSED');
  });

  it('a server that never greets times out after timeoutSeconds, retryable', async () => {
    const sockets: Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = performance.now();
      const t = target((silent.address() as AddressInfo).port);
      const result = await deliverEmail(t, notification([alert()]), { from: FROM, timeoutSeconds: 1 });
      const elapsed = performance.now() - started;
      expect(result).toMatchObject({ ok: false, retryable: true });
      expect(elapsed).toBeGreaterThanOrEqual(990);
      expect(elapsed).toBeLessThan(1000 + SETTLE_SLACK_MS);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("the caller's signal closes the connection mid-transaction, retryable", async () => {
    const controller = new AbortController();
    smtp = await recordingSmtp({
      onData(stream) {
        stream.resume();
        stream.on('end', () => controller.abort(new Error('shutting down')));
      },
    });
    const closed = smtp.nextClose();
    const result = await deliverEmail(target(smtp.port), notification([alert()]), {
      from: FROM,
      signal: controller.signal,
    });
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toContain('shutting down');
    await closed;
  });

  it('an already aborted signal sends nothing', async () => {
    smtp = await recordingSmtp();
    const result = await deliverEmail(target(smtp.port), notification([alert()]), {
      from: FROM,
      signal: AbortSignal.abort(new Error('shutting down')),
    });
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(smtp.mails).toHaveLength(0);
  });

  it('no smarthost and no default server is a setup error, not retryable', async () => {
    const t = EmailTargetSchema.parse({ to: ['a@example.com'] });
    const result = await deliverEmail(t, notification([alert()]), { from: FROM });
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.error).toContain('MAINSTAY_SMTP_URL');
  });
});
