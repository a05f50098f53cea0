import { describe, expect, it } from 'vitest';
import {
  type OnCall,
  onCallColumns,
  onCallLines,
  person,
  type ShiftView,
  sourceText,
  type Timeline,
  timelineTable,
  withGaps,
} from '../../src/cli/commands/oncall-output.js';
import { formatTable } from '../../src/cli/output.js';

const shift = (over: Partial<ShiftView>): ShiftView => ({
  user: 'alice@example.test',
  name: 'Alice Adams',
  start: '2026-03-07T14:00:00.000Z',
  end: '2026-03-08T13:00:00.000Z',
  source: 'layer',
  layer: 0,
  ...over,
});

const timeline = (final: ShiftView[]): Timeline => ({
  schedule: 'primary',
  timeZone: 'America/New_York',
  from: '2026-03-07T05:00:00.000Z',
  to: '2026-03-09T04:00:00.000Z',
  final,
  layers: [{ name: 'weekdays', shifts: [] }],
  overrides: [{ id: 'o1', user: 'bob@example.test', start: '', end: '', reason: 'dentist' }],
  swaps: [{ id: 's1', from: 'a', to: 'b', start: '', end: '', reason: '' }],
});

describe('person and sourceText', () => {
  it('shows the name with the email, the email alone, or nobody', () => {
    expect(person(shift({}))).toBe('Alice Adams <alice@example.test>');
    expect(person(shift({ name: null }))).toBe('alice@example.test');
    expect(person(null)).toBe('nobody');
  });

  it('names the layer and the override reason when the timeline has them', () => {
    const t = timeline([]);
    expect(sourceText(shift({}), t)).toBe('layer weekdays');
    expect(sourceText(shift({}))).toBe('layer 0');
    expect(sourceText(shift({ source: 'override', layer: undefined, ref: 'o1' }), t)).toBe('override (dentist)');
    expect(sourceText(shift({ source: 'swap', layer: undefined, ref: 's1' }), t)).toBe('swap');
  });
});

describe('withGaps and timelineTable', () => {
  it('adds a nobody row for each hole, at the start, between shifts and at the end', () => {
    const t = timeline([
      shift({ start: '2026-03-07T14:00:00.000Z', end: '2026-03-08T13:00:00.000Z' }),
      shift({ start: '2026-03-08T13:00:00.000Z', end: '2026-03-08T16:00:00.000Z', user: 'bob@example.test' }),
      shift({ start: '2026-03-08T18:00:00.000Z', end: '2026-03-08T20:00:00.000Z' }),
    ]);
    expect(withGaps(t).map((r) => [r.shift?.user ?? 'nobody', r.start.slice(5, 16), r.end.slice(5, 16)])).toEqual([
      ['nobody', '03-07T05:00', '03-07T14:00'],
      ['alice@example.test', '03-07T14:00', '03-08T13:00'],
      ['bob@example.test', '03-08T13:00', '03-08T16:00'],
      ['nobody', '03-08T16:00', '03-08T18:00'],
      ['alice@example.test', '03-08T18:00', '03-08T20:00'],
      ['nobody', '03-08T20:00', '03-09T04:00'],
    ]);
  });

  it('renders times in the schedule zone with the length of each row', () => {
    const out = timelineTable(timeline([shift({})]));
    expect(out.split('\n').slice(0, 3)).toEqual([
      'START                   END                     LENGTH  ON CALL                           SOURCE',
      '2026-03-07 00:00-05:00  2026-03-07 09:00-05:00  9h      nobody                            -',
      '2026-03-07 09:00-05:00  2026-03-08 09:00-04:00  23h     Alice Adams <alice@example.test>  layer weekdays',
    ]);
  });
});

describe('on-call views', () => {
  const now = Date.parse('2026-03-08T08:00:00Z');
  const onCall = (over: Partial<OnCall>): OnCall => ({
    schedule: 'primary',
    timeZone: 'America/New_York',
    at: '2026-03-08T08:00:00.000Z',
    onCall: shift({}),
    next: shift({
      user: 'bob@example.test',
      name: 'Bob Brown',
      start: '2026-03-08T13:00:00.000Z',
      end: '2026-03-09T13:00:00.000Z',
    }),
    ...over,
  });

  it('the table says until when (in the zone, and how long from now) and who is next', () => {
    const rows = formatTable([onCall({})], onCallColumns(now)).split('\n');
    expect(rows[1]).toBe(
      'primary   America/New_York  Alice Adams <alice@example.test>  2026-03-08 09:00-04:00 (in 5h)  Bob Brown <bob@example.test>',
    );
  });

  it('with nobody on call now, the table says when the next person starts', () => {
    const rows = formatTable([onCall({ onCall: null })], onCallColumns(now)).split('\n');
    expect(rows[1]).toMatch(
      /^primary\s+America\/New_York\s+nobody\s+-\s+Bob Brown <bob@example.test> from 2026-03-08 09:00-04:00$/,
    );
  });

  it('the lines show the whole shift in the zone and in UTC', () => {
    expect(onCallLines(onCall({}))).toEqual([
      'schedule: primary (America/New_York)',
      'at:       2026-03-08 04:00-04:00 (08:00Z)',
      'on call:  Alice Adams <alice@example.test>',
      'shift:    2026-03-07 09:00-05:00 (14:00Z) → 2026-03-08 09:00-04:00 (13:00Z)',
      'length:   23h',
      'source:   layer 0',
      'next:     Bob Brown <bob@example.test> from 2026-03-08 09:00-04:00 (13:00Z) to 2026-03-09 09:00-04:00 (13:00Z) (24h)',
    ]);
    expect(onCallLines(onCall({ onCall: null, next: null }))).toEqual([
      'schedule: primary (America/New_York)',
      'at:       2026-03-08 04:00-04:00 (08:00Z)',
      'on call:  nobody',
      'next:     nobody within 40 days',
    ]);
  });
});
