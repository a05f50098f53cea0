import { describe, expect, it, vi } from 'vitest';
import {
  PD_MAX_BODY,
  parsePagerDutyChange,
  parsePagerDutyEvent,
  pdBodyTooLarge,
  pdError,
  pdRateLimited,
  pdUnknownRoutingKey,
} from '../pagerduty.js';

const KEY = 'R0UT1NGKEY0000000000000000000001';
const newKey = () => 'generated-key';

function trigger(payload: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    routing_key: KEY,
    event_action: 'trigger',
    payload: { summary: 'Disk full on db1', source: 'db1.example.com', severity: 'critical', ...payload },
    ...extra,
  };
}

function invalid(errors: string[]) {
  return { error: { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } } };
}

describe('PagerDuty Events API v2: rejected events (400, clients must not retry)', () => {
  const { routing_key: _rk, ...noRoutingKey } = trigger();
  const cases: [string, unknown, string[]][] = [
    ['missing routing_key', noRoutingKey, ["'routing_key' is missing or blank"]],
    ['blank routing_key', { ...trigger(), routing_key: '  ' }, ["'routing_key' is missing or blank"]],
    ['non-string routing_key', { ...trigger(), routing_key: 42 }, ["'routing_key' must be a string"]],
    [
      'routing_key over 128 characters',
      { ...trigger(), routing_key: 'k'.repeat(129) },
      ["Length of 'routing_key' is incorrect (should be at most 128 characters)"],
    ],
    ['missing event_action', { ...trigger(), event_action: undefined }, ["'event_action' is missing or blank"]],
    [
      'invalid event_action',
      { ...trigger(), event_action: 'create' },
      ["'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')"],
    ],
    ['missing payload.summary', trigger({ summary: undefined }), ["'payload.summary' is missing or blank"]],
    [
      'payload.summary over 1024 characters',
      trigger({ summary: 's'.repeat(1025) }),
      ["'payload.summary' is too long (maximum is 1024 characters)"],
    ],
    ['missing payload.source', trigger({ source: '' }), ["'payload.source' is missing or blank"]],
    ['missing payload.severity', trigger({ severity: undefined }), ["'payload.severity' is missing or blank"]],
    [
      'wrong severity',
      trigger({ severity: 'high' }),
      ["'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')"],
    ],
    [
      'severity in the wrong case',
      trigger({ severity: 'CRITICAL' }),
      ["'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')"],
    ],
    [
      'timestamp that is not ISO 8601',
      trigger({ timestamp: 'yesterday' }),
      ["'payload.timestamp' is invalid (must be an ISO 8601 date-time, e.g. 2015-07-17T08:42:58.315+0000)"],
    ],
    ['component that is an object', trigger({ component: { a: 1 } }), ["'payload.component' must be a string"]],
    [
      'dedup_key over 255 characters',
      trigger({}, { dedup_key: 'd'.repeat(256) }),
      ["'dedup_key' is too long (maximum is 255 characters)"],
    ],
    [
      'acknowledge without dedup_key',
      { routing_key: KEY, event_action: 'acknowledge' },
      ["'dedup_key' is missing or blank"],
    ],
    ['resolve without dedup_key', { routing_key: KEY, event_action: 'resolve' }, ["'dedup_key' is missing or blank"]],
    [
      'resolve with a blank dedup_key',
      { routing_key: KEY, event_action: 'resolve', dedup_key: '' },
      ["'dedup_key' is missing or blank"],
    ],
    [
      'payload that is a string',
      { ...trigger(), payload: 'oops' },
      [
        "'payload' must be a JSON object",
        "'payload.summary' is missing or blank",
        "'payload.source' is missing or blank",
        "'payload.severity' is missing or blank",
      ],
    ],
    [
      'every field error at once, not only the first',
      { event_action: 'trigger', payload: {} },
      [
        "'routing_key' is missing or blank",
        "'payload.summary' is missing or blank",
        "'payload.source' is missing or blank",
        "'payload.severity' is missing or blank",
      ],
    ],
    ['an empty object', {}, ["'routing_key' is missing or blank", "'event_action' is missing or blank"]],
  ];

  it.each(cases)('%s', (_name, body, errors) => {
    const make = vi.fn(newKey);
    expect(parsePagerDutyEvent(body, make)).toEqual(invalid(errors));
    expect(make).not.toHaveBeenCalled();
  });

  it.each([
    ['null', null],
    ['a string (body that was not JSON)', '{"routing_key":'],
    ['an array', [trigger()]],
    ['a number', 42],
  ])('a body that is %s is "Event object is invalid"', (_name, body) => {
    expect(parsePagerDutyEvent(body, newKey)).toEqual(invalid(['Event object must be a JSON object']));
  });
});

describe('PagerDuty Events API v2: accepted events (202)', () => {
  it('a trigger without dedup_key gets a generated one, returned in the reply', () => {
    const r = parsePagerDutyEvent(trigger(), newKey);
    expect(r).toEqual({
      routingKey: KEY,
      dedupKey: 'generated-key',
      reply: { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'generated-key' } },
      event: {
        action: 'trigger',
        source: 'pagerduty',
        integrationId: null,
        dedupKey: 'generated-key',
        labels: { severity: 'critical', source: 'db1.example.com' },
        annotations: { summary: 'Disk full on db1' },
        summary: 'Disk full on db1',
        severity: 'critical',
      },
    });
  });

  it('a trigger with dedup_key keeps it and does not generate one', () => {
    const make = vi.fn(newKey);
    const r = parsePagerDutyEvent(trigger({}, { dedup_key: 'srv01/mysql' }), make);
    expect(r).toMatchObject({ dedupKey: 'srv01/mysql', event: { dedupKey: 'srv01/mysql' } });
    expect(r).toMatchObject({ reply: { body: { dedup_key: 'srv01/mysql' } } });
    expect(make).not.toHaveBeenCalled();
  });

  it("the docs' example trigger maps every field", () => {
    // "Send an Alert Event", example request payload (PagerDuty developer docs).
    const body = {
      payload: {
        summary: 'Example alert on host1.example.com',
        timestamp: '2015-07-17T08:42:58.315+0000',
        source: 'monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003',
        severity: 'info',
        component: 'postgres',
        group: 'prod-datapipe',
        class: 'deploy',
        custom_details: { 'ping time': '1500ms', 'load avg': 0.75 },
      },
      routing_key: 'samplekeyhere',
      dedup_key: 'samplekeyhere',
      images: [
        {
          src: 'https://www.pagerduty.com/wp-content/uploads/2016/05/pagerduty-logo-green.png',
          href: 'https://example.com/',
          alt: 'Example text',
        },
      ],
      links: [{ href: 'https://example.com/', text: 'Link text' }],
      event_action: 'trigger',
      client: 'Sample Monitoring Service',
      client_url: 'https://monitoring.example.com',
    };
    const r = parsePagerDutyEvent(body, newKey);
    if ('error' in r) throw new Error('rejected');
    expect(r.routingKey).toBe('samplekeyhere');
    expect(r.event).toEqual({
      action: 'trigger',
      source: 'pagerduty',
      integrationId: null,
      dedupKey: 'samplekeyhere',
      labels: {
        severity: 'info',
        source: 'monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003',
        component: 'postgres',
        group: 'prod-datapipe',
        class: 'deploy',
      },
      annotations: { summary: 'Example alert on host1.example.com' },
      summary: 'Example alert on host1.example.com',
      severity: 'info',
      startsAt: Date.UTC(2015, 6, 17, 8, 42, 58, 315),
      details: {
        custom_details: { 'ping time': '1500ms', 'load avg': 0.75 },
        links: body.links,
        images: body.images,
        client: 'Sample Monitoring Service',
        client_url: 'https://monitoring.example.com',
      },
    });
  });

  it.each(['acknowledge', 'resolve'] as const)('%s needs only routing_key and dedup_key', (action) => {
    const make = vi.fn(newKey);
    const r = parsePagerDutyEvent({ routing_key: KEY, dedup_key: 'srv01/mysql', event_action: action }, make);
    expect(r).toEqual({
      routingKey: KEY,
      dedupKey: 'srv01/mysql',
      reply: { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'srv01/mysql' } },
      event: {
        action,
        source: 'pagerduty',
        integrationId: null,
        dedupKey: 'srv01/mysql',
        labels: {},
        annotations: {},
        summary: '',
        severity: 'warning',
      },
    });
    expect(make).not.toHaveBeenCalled();
  });

  it('a resolve with an invalid payload is still accepted (payload is only read for triggers)', () => {
    const r = parsePagerDutyEvent(
      { routing_key: KEY, dedup_key: 'k', event_action: 'resolve', payload: { severity: 'nope' } },
      newKey,
    );
    expect(r).toMatchObject({ event: { action: 'resolve' } });
  });

  it('custom_details over 64 KiB are dropped with a note, the event is still accepted', () => {
    const r = parsePagerDutyEvent(trigger({ custom_details: { log: 'x'.repeat(70_000) } }), newKey);
    if ('error' in r) throw new Error('rejected');
    expect(r.event.details).toEqual({
      _dropped: ['custom_details'],
      _note: expect.stringContaining('65536 bytes'),
    });
  });

  it('custom_details nested too deep to serialise are dropped, never thrown', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    const r = parsePagerDutyEvent(trigger({ custom_details: deep }), newKey);
    if ('error' in r) throw new Error('rejected');
    expect(r.event.details).toMatchObject({ _dropped: ['custom_details'] });
  });

  it('payload fields named like Object.prototype members are not read from the prototype', () => {
    const body = JSON.parse(
      `{"routing_key":"${KEY}","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"error","__proto__":{"component":"evil"}}}`,
    );
    const r = parsePagerDutyEvent(body, newKey);
    if ('error' in r) throw new Error('rejected');
    expect(r.event.labels).toEqual({ severity: 'error', source: 'h' });
  });
});

describe('PagerDuty replies for the route', () => {
  it('the body limit is 512 KB', () => {
    expect(PD_MAX_BODY).toBe(524_288);
  });

  it.each([
    [pdUnknownRoutingKey(), 404, 'Not Found'],
    [pdBodyTooLarge(), 413, 'Payload Too Large'],
    [pdRateLimited(), 429, 'throttle exceeded'],
  ])('errors other than 400 keep the {status, message, errors} shape (%#)', (reply, status, text) => {
    expect(reply.status).toBe(status);
    expect(reply.body).toMatchObject({ status: text, message: expect.any(String), errors: [expect.any(String)] });
  });

  it('pdError builds the 400 body', () => {
    expect(pdError(400, 'Event object is invalid', ['x'])).toEqual({
      status: 400,
      body: { status: 'invalid event', message: 'Event object is invalid', errors: ['x'] },
    });
  });
});

describe('PagerDuty change events', () => {
  it("the docs' example change event is accepted", () => {
    const r = parsePagerDutyChange({
      routing_key: KEY,
      payload: {
        summary: 'Build Success: Increase snapshot create timeout to 30 seconds',
        timestamp: '2020-07-17T08:42:58.315+0000',
        source: 'acme-build-pipeline-tool-default-i-9999',
        custom_details: { build_state: 'passed', build_number: '2', run_time: '1236s' },
      },
      links: [{ href: 'https://acme.pagerduty.dev/build/2', text: 'View more details in Acme!' }, { text: 'no href' }],
    });
    expect(r).toEqual({
      routingKey: KEY,
      change: {
        summary: 'Build Success: Increase snapshot create timeout to 30 seconds',
        source: 'acme-build-pipeline-tool-default-i-9999',
        timestamp: Date.UTC(2020, 6, 17, 8, 42, 58, 315),
        customDetails: { build_state: 'passed', build_number: '2', run_time: '1236s' },
        links: [{ href: 'https://acme.pagerduty.dev/build/2', text: 'View more details in Acme!' }],
      },
      reply: { status: 202, body: { status: 'success', message: 'Change event processed' } },
    });
  });

  it('a change event without summary or routing_key is rejected with both errors', () => {
    expect(parsePagerDutyChange({ payload: { source: 'ci' } })).toEqual(
      invalid(["'routing_key' is missing or blank", "'payload.summary' is missing or blank"]),
    );
  });

  it('optional fields absent are null', () => {
    expect(parsePagerDutyChange({ routing_key: KEY, payload: { summary: 'deploy' } })).toMatchObject({
      change: { summary: 'deploy', source: null, timestamp: null, customDetails: null, links: [] },
    });
  });
});
