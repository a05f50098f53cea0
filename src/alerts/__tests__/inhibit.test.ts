import { describe, expect, it } from 'vitest';
import { InputError } from '../../platform/errors.js';
import { InhibitRuleSpecSchema } from '../config.model.js';
import { compileInhibitRule, findInhibitor, type InhibitCandidate, InhibitionIndex } from '../inhibit.js';

const rule = (name: string, spec: unknown) => compileInhibitRule(name, InhibitRuleSpecSchema.parse(spec));

/** The example of Alertmanager's docs and simple.yml: critical mutes warning of the same alertname/cluster/service. */
const criticalOverWarning = rule('critical-over-warning', {
  sourceMatchers: ['severity="critical"'],
  targetMatchers: ['severity="warning"'],
  equal: ['alertname', 'cluster', 'service'],
});

const alert = (id: string, labels: Record<string, string>): InhibitCandidate => ({
  id,
  fingerprint: `fp-${id}`,
  labels,
});
const base = { alertname: 'HighLatency', cluster: 'eu1', service: 'api' };

describe('findInhibitor with the documented example', () => {
  it.each([
    [
      'a critical alert mutes the warning with the same alertname, cluster and service',
      alert('t', { ...base, severity: 'warning' }),
      [alert('s', { ...base, severity: 'critical' })],
      { rule: 'critical-over-warning', alert: 's' },
    ],
    [
      'a critical alert of another cluster does not',
      alert('t', { ...base, severity: 'warning' }),
      [alert('s', { ...base, cluster: 'us1', severity: 'critical' })],
      undefined,
    ],
    [
      'a critical alert of another alertname does not',
      alert('t', { ...base, severity: 'warning' }),
      [alert('s', { ...base, alertname: 'Down', severity: 'critical' })],
      undefined,
    ],
    [
      'labels outside `equal` may differ',
      alert('t', { ...base, severity: 'warning', instance: 'a' }),
      [alert('s', { ...base, severity: 'critical', instance: 'b' })],
      { rule: 'critical-over-warning', alert: 's' },
    ],
    [
      'an info alert is not a target',
      alert('t', { ...base, severity: 'info' }),
      [alert('s', { ...base, severity: 'critical' })],
      undefined,
    ],
    [
      'a warning does not mute a warning',
      alert('t', { ...base, severity: 'warning' }),
      [alert('s', { ...base, severity: 'warning' })],
      undefined,
    ],
    ['nothing firing mutes nothing', alert('t', { ...base, severity: 'warning' }), [], undefined],
    [
      'caveat: `equal` labels missing on both sides count as equal',
      alert('t', { severity: 'warning', team: 'a' }),
      [alert('s', { severity: 'critical', team: 'b' })],
      { rule: 'critical-over-warning', alert: 's' },
    ],
    [
      'a label missing on the source only is not equal',
      alert('t', { ...base, severity: 'warning' }),
      [alert('s', { alertname: 'HighLatency', cluster: 'eu1', severity: 'critical' })],
      undefined,
    ],
    [
      'a label empty on one side and missing on the other counts as equal (both read as "")',
      alert('t', { ...base, severity: 'warning' }),
      [alert('s', { ...base, service: '', severity: 'critical' }), alert('s2', { ...base, severity: 'critical' })],
      { rule: 'critical-over-warning', alert: 's2' },
    ],
  ])('%s', (_name, target, firing, expected) => {
    expect(findInhibitor([criticalOverWarning], target, firing)).toEqual(expected);
  });
});

describe('findInhibitor self- and mutual inhibition', () => {
  // Source and target overlap: any alert of `alertname=Flap` matches both sides.
  const both = rule('flap', {
    sourceMatchers: ['alertname="Flap"'],
    targetMatchers: ['alertname="Flap"'],
    equal: ['cluster'],
  });

  it('an alert never inhibits itself', () => {
    const a = alert('a', { alertname: 'Flap', cluster: 'eu1' });
    expect(findInhibitor([both], a, [a])).toBeUndefined();
  });

  it('two alerts matching both sides do not mute each other (Alertmanager excludes two-sided sources)', () => {
    const a = alert('a', { alertname: 'Flap', cluster: 'eu1', instance: '1' });
    const b = alert('b', { alertname: 'Flap', cluster: 'eu1', instance: '2' });
    expect(findInhibitor([both], a, [a, b])).toBeUndefined();
    expect(findInhibitor([both], b, [a, b])).toBeUndefined();
  });

  it('a source matching only the source side still mutes a target matching both sides', () => {
    const r = rule('r', {
      sourceMatchers: ['severity=~"critical|page"'],
      targetMatchers: ['severity="page"'],
      equal: [],
    });
    const target = alert('t', { severity: 'page' });
    expect(findInhibitor([r], target, [alert('p', { severity: 'page' })])).toBeUndefined();
    expect(findInhibitor([r], target, [alert('c', { severity: 'critical' })])).toEqual({ rule: 'r', alert: 'c' });
  });

  it('a two-sided source still mutes a target that matches only the target side', () => {
    const r = rule('r', { sourceMatchers: ['team="db"'], targetMatchers: ['severity="warning"'], equal: [] });
    const source = alert('s', { team: 'db', severity: 'warning' });
    expect(findInhibitor([r], alert('t', { team: 'web', severity: 'warning' }), [source])).toEqual({
      rule: 'r',
      alert: 's',
    });
  });
});

describe('InhibitionIndex', () => {
  const other = rule('maintenance', {
    sourceMatchers: ['alertname="Maintenance"'],
    targetMatchers: ['cluster=~".+"'],
    equal: ['cluster'],
  });

  it('reports the first rule in order, then the earliest added source', () => {
    const index = new InhibitionIndex([criticalOverWarning, other]);
    index.add(alert('m', { alertname: 'Maintenance', cluster: 'eu1' }));
    index.add(alert('s1', { ...base, severity: 'critical' }));
    index.add(alert('s2', { ...base, severity: 'critical' }));
    expect(index.findInhibitor(alert('t', { ...base, severity: 'warning' }))).toEqual({
      rule: 'critical-over-warning',
      alert: 's1',
    });
    expect(index.findInhibitor(alert('t2', { ...base, severity: 'info' }))).toEqual({
      rule: 'maintenance',
      alert: 'm',
    });
  });

  it('answers for many targets against thousands of firing alerts', () => {
    const index = new InhibitionIndex([criticalOverWarning, other]);
    for (let i = 0; i < 5000; i++) index.add(alert(`c${i}`, { ...base, cluster: `c${i}`, severity: 'critical' }));
    const wrong: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const hit = index.findInhibitor(alert(`w${i}`, { ...base, cluster: `c${i}`, severity: 'warning' }));
      if (hit?.alert !== `c${i}`) wrong.push(i);
    }
    expect(wrong).toEqual([]);
    expect(index.findInhibitor(alert('w', { ...base, cluster: 'none', severity: 'warning' }))).toBeUndefined();
  });

  it('an index with no rules inhibits nothing', () => {
    const index = new InhibitionIndex([]);
    index.add(alert('s', { ...base, severity: 'critical' }));
    expect(index.findInhibitor(alert('t', { ...base, severity: 'warning' }))).toBeUndefined();
  });
});

describe('compileInhibitRule', () => {
  it('keeps the name, matchers and equal labels', () => {
    expect(criticalOverWarning).toMatchObject({
      name: 'critical-over-warning',
      equal: ['alertname', 'cluster', 'service'],
    });
    expect(criticalOverWarning.source.map((m) => m.value)).toEqual(['critical']);
  });

  it('rejects an invalid matcher with an InputError naming the field', () => {
    const spec = { sourceMatchers: ['severity="critical"'], targetMatchers: ['a=~"("'], equal: [] };
    expect(() => compileInhibitRule('bad', spec)).toThrow(InputError);
    expect(() => compileInhibitRule('bad', spec)).toThrow(/targetMatchers\[0\]/);
  });
});
