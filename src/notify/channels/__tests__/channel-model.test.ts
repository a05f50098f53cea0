import { describe, expect, it } from 'vitest';
import { addressError, type ChannelSpec, ChannelSpecSchema, hasDefaultAddress } from '../../channel.model.js';
import { channel } from './support/fixtures.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;

const specs = {
  webhook: channel({ type: 'webhook', url: 'https://hooks.example/x' }),
  slack: channel({ type: 'slack', urlSecret: 'slack-url' }),
  teams: channel({ type: 'teams', urlSecret: 'teams-url' }),
  email: channel({ type: 'email' }),
  ntfy: channel({ type: 'ntfy' }),
  telegram: channel({ type: 'telegram', botTokenSecret: 'tg-bot' }),
  sms: channel({ type: 'sms', accountSid: SID, authTokenSecret: 'twilio', from: '+14155550100' }),
  voice: channel({ type: 'voice', accountSid: SID, authTokenSecret: 'twilio', from: '+14155550100' }),
} satisfies Record<ChannelSpec['type'], ChannelSpec>;

function issues(input: unknown) {
  const r = ChannelSpecSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('ChannelSpecSchema', () => {
  it('fills the defaults', () => {
    expect(specs.webhook).toMatchObject({ headers: {}, timeoutSeconds: 10 });
    expect(specs.email).toMatchObject({ requireTls: false, to: [] });
    expect(specs.ntfy).toMatchObject({ baseUrl: 'https://ntfy.sh', timeoutSeconds: 10 });
    expect(specs.telegram).toMatchObject({ baseUrl: 'https://api.telegram.org' });
    expect(specs.sms).toMatchObject({ baseUrl: 'https://api.twilio.com' });
  });

  it('a webhook needs exactly one of url and urlSecret, reported at url', () => {
    expect(issues({ type: 'webhook' })).toEqual([{ path: 'url', message: 'give exactly one of url and urlSecret' }]);
    expect(issues({ type: 'webhook', url: 'https://a.example', urlSecret: 'x' })).toHaveLength(1);
    expect(issues({ type: 'webhook', urlSecret: 'hook-url' })).toEqual([]);
  });

  it.each([
    [{ type: 'webhook', url: 'ftp://a.example/x' }, 'url'],
    [{ type: 'webhook', url: 'https://a.example', timeoutSeconds: 121 }, 'timeoutSeconds'],
    [{ type: 'webhook', url: 'https://a.example', headers: { 'bad header': 'x' } }, 'headers.bad header'],
    [{ type: 'slack', urlSecret: 'Has_Upper' }, 'urlSecret'],
    [{ type: 'slack', urlSecret: 'ok', channel: '#x' }, ''],
    [{ type: 'email', smarthost: 'smtp.example' }, 'smarthost'],
    [{ type: 'email', to: ['not-an-email'] }, 'to.0'],
    [{ type: 'ntfy', topic: 'has space' }, 'topic'],
    [{ type: 'telegram', botTokenSecret: 'tg', chatId: 'general' }, 'chatId'],
    [{ type: 'sms', accountSid: 'AC123', authTokenSecret: 't', from: '+14155550100' }, 'accountSid'],
    [{ type: 'voice', accountSid: SID, authTokenSecret: 't', from: '4155550100' }, 'from'],
    [{ type: 'slack', urlSecret: 'ok', team: 'Not A Slug' }, 'team'],
    [{ type: 'pager', url: 'https://a.example' }, 'type'],
  ])('rejects %j at path "%s"', (input, path) => {
    expect(issues(input).map((i) => i.path)).toContain(path);
  });
});

describe('addressError', () => {
  it.each<[keyof typeof specs, string | undefined, boolean]>([
    ['email', 'ada@example.com', true],
    ['email', 'ada@', false],
    ['email', undefined, false],
    ['sms', '+14155550123', true],
    ['sms', '+4930123456', true],
    ['sms', '+1234567', false], // 7 digits
    ['sms', '+1234567890123456', false], // 16 digits
    ['sms', '14155550123', false],
    ['voice', '+447700900123', true],
    ['voice', '+0447700900123', false],
    ['telegram', '123456789', true],
    ['telegram', '-1001234567890', true],
    ['telegram', '@mainstay_ops', true],
    ['telegram', '@abc', false],
    ['telegram', 'mainstay_ops', false],
    ['ntfy', 'ops-alerts_1', true],
    ['ntfy', 'ops alerts', false],
    ['ntfy', 'x'.repeat(65), false],
    ['webhook', undefined, true],
    ['webhook', '', true],
    ['webhook', 'https://elsewhere.example', false],
    ['slack', '#ops', false],
    ['teams', 'someone@example.com', false],
  ])('%s address %j valid: %s', (type, address, valid) => {
    const error = addressError(specs[type], address);
    if (valid) expect(error).toBeUndefined();
    else expect(error).toEqual(expect.any(String));
  });
});

describe('hasDefaultAddress', () => {
  it.each<[string, boolean, ChannelSpec]>([
    ['webhook', true, specs.webhook],
    ['slack', true, specs.slack],
    ['teams', true, specs.teams],
    ['email without to', false, specs.email],
    ['email with to', true, channel({ type: 'email', to: ['ops@example.com'] })],
    ['ntfy without topic', false, specs.ntfy],
    ['ntfy with topic', true, channel({ type: 'ntfy', topic: 'ops' })],
    ['telegram without chatId', false, specs.telegram],
    ['telegram with chatId', true, channel({ type: 'telegram', botTokenSecret: 'tg', chatId: '-100123' })],
    ['sms without to', false, specs.sms],
    ['voice with to', true, { ...specs.voice, to: '+14155550199' }],
  ])('%s: %s', (_name, expected, spec) => {
    expect(hasDefaultAddress(spec)).toBe(expected);
  });
});
