import { InputError } from '../platform/errors.js';
import type { InhibitRuleSpec } from './config.model.js';
import { type Labels, type Matcher, MatcherError, matchesAll, parseMatcher } from './matchers.js';

/**
 * Inhibition with Alertmanager's semantics (docs: configuration → <inhibit_rule>; code:
 * inhibit/inhibit.go). A target alert is muted when, for some rule, it matches the target matchers
 * and a firing alert matches the source matchers with equal values for every `equal` label. A label
 * missing on both sides reads as "" on both and so counts as equal (the documented caveat).
 */

export interface InhibitRule {
  name: string;
  source: Matcher[];
  target: Matcher[];
  equal: string[];
}

export interface InhibitCandidate {
  id: string;
  fingerprint: string;
  labels: Labels;
}

function parseAll(name: string, field: string, texts: readonly string[]): Matcher[] {
  return texts.map((text, i) => {
    try {
      return parseMatcher(text);
    } catch (err) {
      if (!(err instanceof MatcherError)) throw err;
      const path = `${field}[${i}]`;
      throw new InputError(`inhibit rule ${name}: ${path}: ${err.message}`, {
        code: 'invalid_inhibit_rule',
        fields: [{ path, message: err.message }],
      });
    }
  });
}

export function compileInhibitRule(name: string, spec: InhibitRuleSpec): InhibitRule {
  return {
    name,
    source: parseAll(name, 'sourceMatchers', spec.sourceMatchers),
    target: parseAll(name, 'targetMatchers', spec.targetMatchers),
    equal: [...new Set(spec.equal)],
  };
}

/** The values of the `equal` labels, missing ones as "" (Go's map read in InhibitRule.hasEqual). */
function equalKey(equal: readonly string[], labels: Labels): string {
  return JSON.stringify(equal.map((l) => labels[l] ?? ''));
}

interface Source {
  seq: number;
  c: InhibitCandidate;
}

/** One rule's sources, bucketed by equal-label values, split by whether they also match the target side. */
interface Bucket {
  /** Sources that do not match the rule's target matchers: they may inhibit any target in the bucket. */
  oneSided: Source[];
  /** Sources that match the target matchers too: they may not inhibit a target that matches both sides. */
  twoSided: Source[];
}

/**
 * The firing alerts that can inhibit, indexed per rule by their `equal` label values, so finding
 * the inhibitor of one target costs one lookup per rule instead of a scan over every firing alert.
 */
export class InhibitionIndex {
  private readonly rules: readonly InhibitRule[];
  private readonly buckets: Map<string, Bucket>[];
  private seq = 0;

  constructor(rules: readonly InhibitRule[]) {
    this.rules = rules;
    this.buckets = rules.map(() => new Map());
  }

  /** Adds a firing alert as a possible source of every rule whose source matchers it matches. */
  add(c: InhibitCandidate): void {
    const seq = this.seq++;
    this.rules.forEach((rule, i) => {
      if (!matchesAll(rule.source, c.labels)) return;
      const buckets = this.buckets[i] as Map<string, Bucket>;
      const key = equalKey(rule.equal, c.labels);
      let b = buckets.get(key);
      if (!b) {
        b = { oneSided: [], twoSided: [] };
        buckets.set(key, b);
      }
      (matchesAll(rule.target, c.labels) ? b.twoSided : b.oneSided).push({ seq, c });
    });
  }

  /** The first rule (in order) that inhibits `target`, with the earliest added source that does so. */
  findInhibitor(target: InhibitCandidate): { rule: string; alert: string } | undefined {
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i] as InhibitRule;
      if (!matchesAll(rule.target, target.labels)) continue;
      const b = this.buckets[i]?.get(equalKey(rule.equal, target.labels));
      if (!b) continue;
      // Inhibitor.Mutes / hasEqual: when the target matches the source side as well, sources that
      // match the target side are skipped, so two alerts matching both sides cannot mute each other.
      // That also covers an alert inhibiting itself; the fingerprint check keeps that out regardless.
      const pick = (list: Source[]) => list.find((s) => s.c.fingerprint !== target.fingerprint);
      const one = pick(b.oneSided);
      const two = matchesAll(rule.source, target.labels) ? undefined : pick(b.twoSided);
      const first = one && two ? (one.seq < two.seq ? one : two) : (one ?? two);
      if (first) return { rule: rule.name, alert: first.c.id };
    }
    return undefined;
  }
}

/** The first (rule, source alert) that inhibits `target`, given the firing alerts that may be sources. */
export function findInhibitor(
  rules: readonly InhibitRule[],
  target: InhibitCandidate,
  firing: Iterable<InhibitCandidate>,
): { rule: string; alert: string } | undefined {
  const index = new InhibitionIndex(rules);
  for (const c of firing) index.add(c);
  return index.findInhibitor(target);
}
