import { describe, expect, it } from 'vitest';
import {
  type Incident,
  incidentColumns,
  incidentLines,
  parseIncidentRef,
  parseSeverityFlag,
  parseStatusFlag,
  type TimelineEntry,
  transitionLine,
} from '../../src/cli/commands/incident-output.js';
import { formatTable } from '../../src/cli/output.js';

const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 'i1',
  number: 42,
  title: 'Database down',
  description: '',
  severity: 'SEV2',
  urgency: 'high',
  status: 'acknowledged',
  service: 'db',
  team: null,
  labels: {},
  policy: null,
  groupKey: null,
  receiver: null,
  createdAt: '2026-03-08T12:00:00.000Z',
  createdBy: 'user:alice@example.test',
  acknowledgedAt: '2026-03-08T12:04:10.000Z',
  acknowledgedBy: 'user:bob@example.test',
  resolvedAt: null,
  resolvedBy: null,
  updatedAt: '2026-03-08T12:04:10.000Z',
  ttaSeconds: 250,
  ttrSeconds: null,
  alerts: { total: 0, firing: 0 },
  roles: [],
  responders: [],
  escalation: null,
  ...over,
});

describe('parseStatusFlag', () => {
  it.each([
    ['open', ['triggered', 'acknowledged']],
    ['all', undefined],
    ['resolved', ['resolved']],
    ['Resolved, triggered', ['triggered', 'resolved']],
    ['open,resolved', ['triggered', 'acknowledged', 'resolved']],
  ])('%s', (input, statuses) => {
    expect(parseStatusFlag(input)).toEqual(statuses);
  });

  it('refuses unknown statuses and an empty list', () => {
    expect(() => parseStatusFlag('open,closed')).toThrow('--status: "closed" is not a status');
    expect(() => parseStatusFlag(',')).toThrow('--status is empty');
  });
});

describe('parseSeverityFlag', () => {
  it('takes SEVn in any case, or the bare number, without duplicates', () => {
    expect(parseSeverityFlag('sev1,SEV2,2, 3')).toEqual(['SEV1', 'SEV2', 'SEV3']);
  });

  it('refuses unknown severities', () => {
    expect(() => parseSeverityFlag('SEV9')).toThrow('--severity: "SEV9" is not a severity');
    expect(() => parseSeverityFlag('critical')).toThrow(/not a severity/);
  });
});

describe('parseIncidentRef', () => {
  it.each([
    ['42', '42'],
    ['#42', '42'],
    [' #7 ', '7'],
    ['01a2009a-f219-7084-b5f0-456589f4d688', '01a2009a-f219-7084-b5f0-456589f4d688'],
  ])('%j is %j', (input, ref) => {
    expect(parseIncidentRef(input)).toBe(ref);
  });

  it.each(['', '#', 'a/b', 'x'.repeat(65)])('%j is a usage error', (input) => {
    expect(() => parseIncidentRef(input)).toThrow(/is not an incident number or id/);
  });
});

describe('incident views', () => {
  const now = Date.parse('2026-03-08T14:30:00Z');

  it('the table shows number, status, severity, title, service, age and TTA', () => {
    const out = formatTable(
      [
        incident(),
        incident({ number: 43, status: 'triggered', service: null, ttaSeconds: null, acknowledgedAt: null }),
      ],
      incidentColumns(now),
    );
    expect(out.split('\n')).toEqual([
      '#    STATUS        SEVERITY  TITLE          SERVICE  AGE     TTA',
      '#42  acknowledged  SEV2      Database down  db       2h 30m  4m 10s',
      '#43  triggered     SEV2      Database down  -        2h 30m  -',
      '',
    ]);
  });

  it('the one line of ack, resolve and reopen', () => {
    expect(transitionLine(incident(), 'acknowledged')).toBe('#42 acknowledged (Database down)');
  });

  it('show lists the set fields, the description and the timeline', () => {
    const entries: TimelineEntry[] = [
      {
        id: 't1',
        incidentId: 'i1',
        at: '2026-03-08T12:04:10.000Z',
        type: 'acknowledged',
        actor: 'user:bob@example.test',
        message: 'acknowledged by user:bob@example.test',
        details: {},
      },
    ];
    const lines = incidentLines(
      incident({
        description: 'primary is down\n',
        policy: 'db-pager',
        escalation: { run: 0, cycle: 0, level: 1, nextAt: null },
        roles: [{ role: 'commander', user: 'alice@example.test', assignedAt: '2026-03-08T12:05:00.000Z' }],
        labels: { env: 'prod' },
      }),
      entries,
      7,
      now,
    );
    expect(lines).toEqual([
      'incident:     #42 Database down',
      'status:       acknowledged',
      'severity:     SEV2, high urgency',
      'service:      db',
      'policy:       db-pager (level 2)',
      'created:      2026-03-08 12:00Z (2h ago) by user:alice@example.test',
      'acknowledged: 2026-03-08 12:04Z (2h ago) by user:bob@example.test (TTA 4m 10s)',
      'roles:        commander: alice@example.test',
      'labels:       env=prod',
      'id:           i1',
      '',
      'description:',
      '  primary is down',
      '',
      'timeline (latest 1 of 7):',
      '  TIME               EVENT         BY                     MESSAGE',
      '  2026-03-08 12:04Z  acknowledged  user:bob@example.test  acknowledged by user:bob@example.test',
    ]);
  });
});
