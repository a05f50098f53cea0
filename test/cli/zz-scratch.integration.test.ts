import { it } from 'vitest';
import { startTestServer } from '../support/server.js';
import { run } from './helpers.js';

it('prints', async () => {
  const server = await startTestServer({ engine: 'sqlite' });
  const env = { MAINSTAY_URL: server.url, MAINSTAY_TOKEN: server.adminToken };
  const h = { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' };
  for (const u of [
    { email: 'alice@example.test', name: 'Alice Adams', timeZone: 'Europe/Berlin' },
    { email: 'bob@example.test', name: 'Bob Brown' },
  ])
    await fetch(`${server.url}/api/v1/users`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ ...u, role: 'responder' }),
    });
  const doc = (name: string, timeZone: string, participants: string[], unit = 'days') => ({
    document: {
      apiVersion: 'mainstay/v1',
      kind: 'Schedule',
      metadata: { name },
      spec: { timeZone, layers: [{ name: 'l1', rotation: { unit, start: '2026-03-01', participants } }] },
    },
  });
  await fetch(`${server.url}/api/v1/apply`, {
    method: 'POST',
    headers: h,
    body: JSON.stringify({
      documents: [
        doc('primary', 'America/New_York', ['alice@example.test', 'bob@example.test']),
        doc('eu', 'Europe/Berlin', ['bob@example.test', 'alice@example.test'], 'weeks'),
      ],
    }),
  });
  const show = async (argv: string[]) => {
    const r = await run(argv, { env });
    console.log(
      `$ mainstay ${argv.join(' ')}  [exit ${r.code}]\n${r.stdout}${r.stderr ? `[stderr]\n${r.stderr}` : ''}`,
    );
  };
  await show(['oncall', 'now']);
  await show(['oncall', 'now', 'eu']);
  await show(['oncall', 'at', 'primary', '2026-03-08T07:30-05:00']);
  await show(['oncall', 'at', 'primary', '2026-03-08 07:30']);
  await show(['oncall', 'timeline', 'primary', '--from', '2026-03-06T00:00-05:00', '--to', '2026-03-10T00:00-04:00']);
  await show([
    'oncall',
    'override',
    'primary',
    '--user',
    'bob@example.test',
    '--start',
    '2026-03-08T12:00-04:00',
    '--for',
    '3h',
    '--reason',
    'dentist',
  ]);
  await show([
    'oncall',
    'shifts',
    '--user',
    'alice@example.test',
    '--from',
    '2026-03-06T00:00Z',
    '--to',
    '2026-03-12T00:00Z',
  ]);
  await show(['oncall', 'shifts']);
  await show([
    'incidents',
    'create',
    '--title',
    'Database down',
    '--severity',
    'SEV1',
    '--service',
    'db',
    '--description',
    'primary refuses connections\nreplica lagging',
  ]);
  await show(['incidents', 'create', '--title', 'Slow API']);
  await show(['ack', '1']);
  await show(['incidents', 'ls']);
  await show(['resolve', '#1']);
  await show(['ack', '#1']);
  await show(['incidents', 'show', '1']);
  await show(['incidents', 'ls', '--status', 'resolved']);
  await show(['--help']);
  await show(['oncall', '--help']);
  await show(['incidents', '--help']);
  await server.close();
});
