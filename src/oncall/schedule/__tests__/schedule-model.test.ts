import { describe, expect, it } from 'vitest';
import { ScheduleSpecSchema, TimeZoneSchema } from '../schedule.model.js';

const valid = {
  timeZone: 'Europe/Berlin',
  layers: [{ name: 'primary', rotation: { unit: 'weeks', start: '2026-01-05', participants: ['a@example.com'] } }],
};

/** Issues as [path, message], the shape an API error's `fields` is built from. */
const issues = (input: unknown) => {
  const r = ScheduleSpecSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
};

const withRotation = (patch: Record<string, unknown>) => ({
  ...valid,
  layers: [{ ...valid.layers[0], rotation: { ...valid.layers[0]!.rotation, ...patch } }],
});

describe('ScheduleSpecSchema', () => {
  it('applies the defaults', () => {
    const s = ScheduleSpecSchema.parse({
      ...valid,
      layers: [{ ...valid.layers[0], restrictions: [{ start: '09:00', end: '17:00' }] }],
    });
    expect(s.layers[0]!.rotation).toMatchObject({ every: 1, handoff: '09:00' });
    expect(s.layers[0]!.restrictions[0]!.days).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
    expect(ScheduleSpecSchema.parse(valid).layers[0]!.restrictions).toEqual([]);
  });

  it.each([
    [
      'an unknown time zone',
      { ...valid, timeZone: 'Mars/Olympus' },
      'timeZone',
      'an IANA time zone such as Europe/Berlin',
    ],
    [
      'an offset for a time zone',
      { ...valid, timeZone: 'UTC+2' },
      'timeZone',
      'an IANA time zone such as Europe/Berlin',
    ],
    [
      'empty participants',
      withRotation({ participants: [] }),
      'layers.0.rotation.participants',
      'a rotation needs at least one participant',
    ],
    [
      'a participant that is no email',
      withRotation({ participants: ['bob'] }),
      'layers.0.rotation.participants.0',
      expect.any(String),
    ],
    [
      'a handoff of 24:00',
      withRotation({ handoff: '24:00' }),
      'layers.0.rotation.handoff',
      'a local time HH:MM from 00:00 to 23:59',
    ],
    [
      'a handoff of 9:00',
      withRotation({ handoff: '9:00' }),
      'layers.0.rotation.handoff',
      'a local time HH:MM from 00:00 to 23:59',
    ],
    [
      'a start date that does not exist',
      withRotation({ start: '2026-02-29' }),
      'layers.0.rotation.start',
      'a calendar date that exists',
    ],
    ['a fractional every', withRotation({ every: 1.5 }), 'layers.0.rotation.every', expect.any(String)],
    ['an unknown unit', withRotation({ unit: 'months' }), 'layers.0.rotation.unit', expect.any(String)],
    [
      'a restriction time of 12:60',
      { ...valid, layers: [{ ...valid.layers[0], restrictions: [{ start: '12:60', end: '13:00' }] }] },
      'layers.0.restrictions.0.start',
      'a local time HH:MM from 00:00 to 23:59',
    ],
    [
      'an unknown weekday',
      { ...valid, layers: [{ ...valid.layers[0], restrictions: [{ days: ['mo'], start: '09:00', end: '17:00' }] }] },
      'layers.0.restrictions.0.days.0',
      expect.any(String),
    ],
    ['an unknown key', { ...valid, timezone: 'UTC' }, '', expect.stringContaining('timezone')],
    ['no layers', { ...valid, layers: [] }, 'layers', expect.any(String)],
    ['a team name with capitals', { ...valid, team: 'Ops' }, 'team', expect.any(String)],
  ])('reports %s at its path', (_name, input, path, message) => {
    expect(issues(input)).toEqual([[path, message]]);
  });
});

describe('TimeZoneSchema', () => {
  it.each(['UTC', 'Etc/UTC', 'Europe/Berlin', 'Australia/Lord_Howe', 'America/Argentina/Buenos_Aires'])(
    'accepts %s',
    (z) => {
      expect(TimeZoneSchema.safeParse(z).success).toBe(true);
    },
  );
  it.each(['UTC+2', '+02:00', 'GMT+2', 'Z', '', 'Europe/Berlin ', 'local'])('rejects %j', (z) => {
    expect(TimeZoneSchema.safeParse(z).success).toBe(false);
  });
});
