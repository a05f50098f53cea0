import { describe, expect, it } from 'vitest';
import { WebhookMappingSchema } from '../../config.model.js';
import { parseGenericWebhook, readJsonPath } from '../webhook.js';

const doc = {
  status: 'firing',
  title: 'Queue backlog',
  level: 'HIGH',
  count: 42,
  ok: false,
  meta: { host: 'mq-1', 'odd key': 'v', list: ['a', 'b'] },
  alerts: [{ id: 1 }, { id: 2 }],
};

describe('readJsonPath', () => {
  it.each([
    ['$', doc],
    ['$.title', 'Queue backlog'],
    ['$.meta.host', 'mq-1'],
    ['$.meta["odd key"]', 'v'],
    ['$.meta.list[1]', 'b'],
    ['$.alerts[0].id', 1],
    ['$.alerts[5].id', undefined],
    ['$.missing.deeper', undefined],
    ['$.title.length', undefined],
    ['$.constructor', undefined],
    ['$.meta.list.0', undefined],
    ['title', undefined],
    ['$..title', undefined],
    ['$[', undefined],
  ])('%s', (path, expected) => {
    expect(readJsonPath(doc, path)).toEqual(expected);
  });
});

describe('generic webhook mapping', () => {
  const mapping = WebhookMappingSchema.parse({
    summary: '$.title',
    severity: '$.level',
    dedupKey: '$.meta.host',
    status: '$.status',
    labels: { host: '$.meta.host', count: '$.count', ok: '$.ok', absent: '$.nothing' },
    annotations: { runbook: '$.meta["odd key"]' },
  });

  it('maps one alert, stringifying numbers and booleans and skipping absent values', () => {
    const r = parseGenericWebhook(doc, mapping);
    if ('error' in r) throw new Error(JSON.stringify(r.error));
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({
      action: 'trigger',
      source: 'webhook',
      integrationId: null,
      dedupKey: 'mq-1',
      labels: { host: 'mq-1', count: '42', ok: 'false' },
      annotations: { runbook: 'v', summary: 'Queue backlog' },
      summary: 'Queue backlog',
      severity: 'error',
      details: doc,
    });
  });

  it.each([
    ['resolved', 'resolve'],
    ['OK', 'resolve'],
    ['closed', 'resolve'],
    ['firing', 'trigger'],
    ['Resolved', 'trigger'],
  ])('status %s → %s (resolvedValues match exactly)', (status, action) => {
    expect(parseGenericWebhook({ ...doc, status }, mapping)).toMatchObject({ events: [{ action }] });
  });

  it('a missing summary is an error naming the mapping path', () => {
    expect(parseGenericWebhook({ level: 'info' }, mapping)).toEqual({
      error: {
        message: 'The webhook payload does not fit the integration mapping: 1 invalid field(s)',
        fields: [{ path: '$.title', message: 'no summary here (mapping.summary); every alert needs one' }],
      },
    });
  });

  it('maps each item of a batch, naming a failing item by its absolute path', () => {
    const batch = WebhookMappingSchema.parse({
      items: '$.alerts',
      summary: '$.name',
      labels: { service: '$.svc' },
    });
    const ok = parseGenericWebhook(
      {
        alerts: [
          { name: 'a', svc: 'x' },
          { name: 'b', svc: 'y' },
        ],
      },
      batch,
    );
    expect(ok).toMatchObject({
      events: [{ summary: 'a', dedupKey: null, labels: { service: 'x' } }, { summary: 'b' }],
    });
    const bad = parseGenericWebhook({ alerts: [{ name: 'a' }, { svc: 'y' }] }, batch);
    expect(bad).toMatchObject({ error: { fields: [{ path: '$.alerts[1].name' }] } });
  });

  it('items that are not an array is an error', () => {
    const batch = WebhookMappingSchema.parse({ items: '$.alerts', summary: '$.name' });
    expect(parseGenericWebhook({ alerts: {} }, batch)).toMatchObject({ error: { fields: [{ path: '$.alerts' }] } });
  });

  it('without dedupKey or labels the summary is the identity', () => {
    const bare = WebhookMappingSchema.parse({ summary: '$.title' });
    expect(parseGenericWebhook(doc, bare)).toMatchObject({
      events: [{ dedupKey: 'Queue backlog', labels: {}, severity: 'warning' }],
    });
  });

  it('a label value over 1024 characters is an error at its path', () => {
    const m = WebhookMappingSchema.parse({ summary: '$.title', labels: { host: '$.meta.host' } });
    expect(parseGenericWebhook({ title: 't', meta: { host: 'h'.repeat(1025) } }, m)).toMatchObject({
      error: { fields: [{ path: '$.meta.host' }] },
    });
  });
});
