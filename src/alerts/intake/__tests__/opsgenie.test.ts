import { describe, expect, it } from 'vitest';
import {
  opsgenieError,
  opsgenieKey,
  opsgenieUnauthorized,
  parseOpsgenieAction,
  parseOpsgenieCreate,
} from '../opsgenie.js';

const RID = '43a29c5c-3dbf-4fa4-9c26-f4f71023e120';
const ACCEPTED = { status: 202, body: { result: 'Request will be processed', took: 0, requestId: RID } };

function unprocessable(errors: Record<string, unknown>) {
  return {
    error: {
      status: 422,
      body: { message: 'Request body is not processable. Please check the errors.', took: 0, requestId: RID, errors },
    },
  };
}

describe('Opsgenie GenieKey header', () => {
  it.each([
    ['GenieKey eb243592-faa2-4ba2-a551q-1afdf565c889', 'eb243592-faa2-4ba2-a551q-1afdf565c889'],
    ['geniekey abc', 'abc'],
    ['  GenieKey   abc  ', 'abc'],
    ['GenieKey\tabc', 'abc'],
    ['GenieKey', undefined],
    ['GenieKey ', undefined],
    ['GenieKeyabc', undefined],
    ['Bearer abc', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (header, key) => {
    expect(opsgenieKey(header)).toBe(key);
  });
});

describe('Opsgenie create alert (POST /v2/alerts)', () => {
  it('a message alone is accepted; without alias the request id is the identity (a new alert each time)', () => {
    expect(parseOpsgenieCreate({ message: 'An example alert message' }, RID)).toEqual({
      reply: ACCEPTED,
      event: {
        action: 'trigger',
        source: 'opsgenie',
        integrationId: null,
        dedupKey: RID,
        labels: { priority: 'P3' },
        annotations: { summary: 'An example alert message' },
        summary: 'An example alert message',
        severity: 'warning',
      },
    });
  });

  it("the docs' full example maps to labels, annotations and details", () => {
    const body = {
      message: 'An example alert message',
      alias: 'Life is too short for no alias',
      description: 'Every alert needs a description',
      responders: [{ id: '4513b7ea-3b91-438f-b7e4-e3e54af9147c', type: 'team' }],
      visibleTo: [{ name: 'rocket_team', type: 'team' }],
      actions: ['Restart', 'AnExampleAction'],
      tags: ['OverwriteQuietHours', 'Critical'],
      details: { key1: 'value1', key2: 'value2' },
      entity: 'An example entity',
      source: 'ops-script',
      priority: 'P1',
      user: 'Monitoring Script',
      note: 'Alert created',
    };
    expect(parseOpsgenieCreate(body, RID)).toEqual({
      reply: ACCEPTED,
      event: {
        action: 'trigger',
        source: 'opsgenie',
        integrationId: null,
        dedupKey: 'Life is too short for no alias',
        labels: {
          priority: 'P1',
          entity: 'An example entity',
          source: 'ops-script',
          tags: 'OverwriteQuietHours,Critical',
        },
        annotations: { summary: 'An example alert message', description: 'Every alert needs a description' },
        summary: 'An example alert message',
        severity: 'critical',
        details: { details: { key1: 'value1', key2: 'value2' }, note: 'Alert created', user: 'Monitoring Script' },
      },
    });
  });

  it.each([
    ['P1', 'critical'],
    ['P2', 'error'],
    ['P3', 'warning'],
    ['P4', 'info'],
    ['P5', 'info'],
  ])('priority %s is %s', (priority, severity) => {
    expect(parseOpsgenieCreate({ message: 'm', priority }, RID)).toMatchObject({ event: { severity } });
  });

  it.each([
    ['no message', {}, { message: 'message can not be empty' }],
    ['a blank message', { message: '   ' }, { message: 'message can not be empty' }],
    ['a message over 130 characters', { message: 'm'.repeat(131) }, { message: expect.stringMatching(/at most 130/) }],
    ['an alias over 512 characters', { message: 'm', alias: 'a'.repeat(513) }, { alias: expect.stringMatching(/512/) }],
    ['an unknown priority', { message: 'm', priority: 'P0' }, { priority: expect.stringMatching(/P1, P2, P3/) }],
    ['tags that are not strings', { message: 'm', tags: [1] }, { tags: expect.any(String) }],
    [
      'more than 20 tags',
      { message: 'm', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) },
      { tags: expect.any(String) },
    ],
    ['details that are not an object', { message: 'm', details: 'x' }, { details: expect.any(String) }],
    [
      'several problems at once',
      { message: '', priority: 'high' },
      { message: 'message can not be empty', priority: expect.any(String) },
    ],
  ])('rejects %s with 422 and the field errors', (_name, body, errors) => {
    expect(parseOpsgenieCreate(body, RID)).toEqual(unprocessable(errors));
  });

  it('a body that was not JSON is 400', () => {
    expect(parseOpsgenieCreate('{"message":', RID)).toEqual({
      error: { status: 400, body: { message: 'Invalid JSON body', took: 0, requestId: RID } },
    });
  });

  it('an array body is 422', () => {
    expect(parseOpsgenieCreate([{ message: 'm' }], RID)).toMatchObject({ error: { status: 422 } });
  });
});

describe('Opsgenie acknowledge and close by alias', () => {
  it.each([
    ['acknowledge', 'acknowledge'],
    ['close', 'resolve'],
  ] as const)('%s → %s on the alert with that alias', (action, expected) => {
    const r = parseOpsgenieAction(
      action,
      'Life is too short for no alias',
      'alias',
      { user: 'ops', note: 'on it' },
      RID,
    );
    expect(r).toEqual({
      reply: ACCEPTED,
      event: {
        action: expected,
        source: 'opsgenie',
        integrationId: null,
        dedupKey: 'Life is too short for no alias',
        labels: {},
        annotations: {},
        summary: '',
        severity: 'warning',
        details: { user: 'ops', note: 'on it' },
      },
    });
  });

  it('an empty body is fine', () => {
    expect(parseOpsgenieAction('close', 'db1-disk', 'alias', undefined, RID)).toMatchObject({
      event: { action: 'resolve', dedupKey: 'db1-disk' },
    });
  });

  it.each([
    [undefined, /defaults to id/],
    ['id', /identifierType=id is not supported/],
    ['tiny', /identifierType=tiny is not supported/],
    ['name', /is invalid/],
  ])('identifierType %j is refused with a 422 that says to use alias', (identifierType, told) => {
    const r = parseOpsgenieAction('close', 'x', identifierType, {}, RID);
    expect(r).toEqual(unprocessable({ identifierType: expect.stringMatching(told) }));
    expect(r).toEqual(unprocessable({ identifierType: expect.stringMatching(/identifierType=alias/) }));
  });

  it('a blank alias is refused', () => {
    expect(parseOpsgenieAction('acknowledge', ' ', 'alias', {}, RID)).toEqual(
      unprocessable({ identifier: 'identifier can not be empty' }),
    );
  });
});

describe('Opsgenie error replies', () => {
  it('401 is "Could not authenticate", as Opsgenie answers an unknown key', () => {
    expect(opsgenieUnauthorized(RID)).toEqual({
      status: 401,
      body: { message: 'Could not authenticate', took: 0, requestId: RID },
    });
  });

  it('404 has the same shape', () => {
    expect(opsgenieError(404, 'Alert does not exist', RID)).toEqual({
      status: 404,
      body: { message: 'Alert does not exist', took: 0, requestId: RID },
    });
  });
});
