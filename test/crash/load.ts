import type { CheckTarget } from './receivers.js';
import type { Rng } from './rng.js';

/**
 * The load of the crash tests: PagerDuty Events v2 triggers/acknowledges/resolves, Alertmanager
 * webhook groups firing and resolving, check targets failing and recovering, and acknowledgements of
 * incidents through the API. Every request is retried until it is answered (as a real sender
 * retries), and a ledger records what was answered 2xx and what went unanswered, so the invariant
 * checks can tell "committed for sure" from "maybe committed".
 */

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: whatever JSON the server answered
  body: any;
}

/** The live instances' base URLs; any of them serves any request. */
export type Urls = () => readonly string[];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One HTTP request with a timeout; a network failure or timeout becomes an Error (not thrown). */
export async function request(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<Answer | Error> {
  try {
    const headers: Record<string, string> = {};
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: res.status, body };
  } catch (err) {
    return err as Error;
  }
}

const ok = (a: Answer | Error): boolean => !(a instanceof Error) && a.status >= 200 && a.status < 300;
/** No answer, or an answer that says "try again": the request may or may not have been committed. */
const unknownOutcome = (a: Answer | Error) =>
  a instanceof Error || a.status >= 500 || a.status === 408 || a.status === 429;

export interface PdEpisode {
  triggersOk: number;
  /** Trigger attempts without an answer (each may have counted as a repeat). */
  triggersUnknown: number;
  ackOk: boolean;
  resolvedOk: boolean;
}
export interface PdKeyLedger {
  dedupKey: string;
  labels: { class: string; group: string };
  episodes: PdEpisode[];
  open: boolean;
}
export interface AmEpisode {
  startsAt: string;
  firingOk: number;
  firingUnknown: number;
  resolvedOk: boolean;
}
export interface AmAlertLedger {
  labels: Record<string, string>;
  episodes: AmEpisode[];
  open: boolean;
}
export interface AmGroupLedger {
  groupKey: string;
  alerts: AmAlertLedger[];
}

export interface Ledger {
  pd: PdKeyLedger[];
  am: AmGroupLedger[];
  /** Incident acknowledgements answered 2xx. */
  acks: Array<{ incidentId: string; at: number }>;
  figures: {
    pdEvents: number;
    amPosts: number;
    amAlertEvents: number;
    acks: number;
    checkFlips: number;
    /** Attempts without an answer (connection refused or cut by a kill), each retried. */
    unanswered: number;
  };
  /** Answers no sender should get (a 4xx to a valid event). */
  problems: string[];
}

export interface LoadSpec {
  pdKey: string;
  amKey: string;
  token: string;
  /** PagerDuty dedup keys by group label; `class` routes them (ops pages, web does not). */
  pd: Array<{ dedupKey: string; class: string; group: string }>;
  /** Alertmanager groups: a name, the team label, and how many alerts. */
  am: Array<{ name: string; team: string; alerts: number }>;
  /** Check target paths that fail and recover at random. */
  flapping: string[];
  /** Check target paths that fail from the start until resolveAll. */
  failing: string[];
  /** Dedup keys triggered at the start and resolved only by resolveAll (their incidents live long). */
  sticky: Array<{ dedupKey: string; class: string; group: string }>;
  /** Incidents with this group label or service are acknowledged once, as soon as seen; others never. */
  ackOnce: string;
  /** Incidents whose group label or service starts with this are never acknowledged at random. */
  noAckPrefix: string;
}

export class LoadDriver {
  readonly ledger: Ledger = {
    pd: [],
    am: [],
    acks: [],
    figures: { pdEvents: 0, amPosts: 0, amAlertEvents: 0, acks: 0, checkFlips: 0, unanswered: 0 },
    problems: [],
  };
  private stopping = false;
  private loops: Promise<void>[] = [];
  private ackedOnce = false;
  /** Multiplies every pause between requests (1 = the default rate). */
  pace = 1;

  constructor(
    private readonly urls: Urls,
    private readonly spec: LoadSpec,
    private readonly target: CheckTarget,
    private readonly random: Rng,
  ) {
    for (const k of [...spec.pd, ...spec.sticky])
      this.ledger.pd.push({
        dedupKey: k.dedupKey,
        labels: { class: k.class, group: k.group },
        episodes: [],
        open: false,
      });
    for (const g of spec.am) {
      const alerts: AmAlertLedger[] = [];
      for (let i = 0; i < g.alerts; i++)
        alerts.push({
          labels: {
            alertname: `Am${g.name}`,
            instance: `host-${i}`,
            team: g.team,
            service: `am-${g.name}`,
            severity: 'critical',
          },
          episodes: [],
          open: false,
        });
      this.ledger.am.push({ groupKey: `{}:{alertname="Am${g.name}"}`, alerts });
    }
  }

  /**
   * Sends until answered: 2xx or 4xx end it; no answer or 5xx/408/429 are retried (each counted as
   * an unknown outcome through `onUnknown`), against any live instance, for up to `deadlineMs`.
   */
  async untilAnswered(
    what: string,
    attempt: (base: string) => Promise<Answer | Error>,
    onUnknown: () => void = () => {},
    deadlineMs = 90_000,
  ): Promise<Answer> {
    const until = Date.now() + deadlineMs;
    const rng = this.random;
    for (;;) {
      const urls = this.urls();
      const base = urls.length ? rng.pick(urls) : undefined;
      const a = base ? await attempt(base) : new Error('no instance is up');
      if (!unknownOutcome(a)) return a as Answer;
      onUnknown();
      this.ledger.figures.unanswered++;
      if (Date.now() > until)
        throw new Error(`${what}: no answer for ${deadlineMs} ms (last: ${a instanceof Error ? a.message : a.status})`);
      await sleep(rng.between(80, 200));
    }
  }

  // PagerDuty ------------------------------------------------------------------------------------

  private async pd(k: PdKeyLedger, action: 'trigger' | 'acknowledge' | 'resolve'): Promise<void> {
    if (action === 'trigger' && !k.open) {
      k.episodes.push({ triggersOk: 0, triggersUnknown: 0, ackOk: false, resolvedOk: false });
      k.open = true;
    }
    const ep = k.episodes.at(-1);
    if (!ep) return;
    const body: Record<string, unknown> = {
      routing_key: this.spec.pdKey,
      event_action: action,
      dedup_key: k.dedupKey,
    };
    if (action === 'trigger')
      body.payload = {
        summary: `${k.dedupKey} is failing`,
        source: 'crash-test',
        severity: 'critical',
        class: k.labels.class,
        group: k.labels.group,
      };
    const a = await this.untilAnswered(
      `PagerDuty ${action} ${k.dedupKey}`,
      (base) => request(base, 'POST', '/v2/enqueue', { body }),
      () => {
        if (action === 'trigger') ep.triggersUnknown++;
      },
    );
    this.ledger.figures.pdEvents++;
    if (!ok(a)) {
      this.ledger.problems.push(`PagerDuty ${action} ${k.dedupKey} answered ${a.status} ${JSON.stringify(a.body)}`);
      return;
    }
    if (action === 'trigger') ep.triggersOk++;
    if (action === 'acknowledge') ep.ackOk = true;
    if (action === 'resolve') {
      ep.resolvedOk = true;
      k.open = false;
    }
  }

  private async pdLoop(keys: PdKeyLedger[], rng: Rng): Promise<void> {
    while (!this.stopping) {
      const k = rng.pick(keys);
      const r = rng.next();
      if (!k.open) await this.pd(k, 'trigger');
      else if (r < 0.45) await this.pd(k, 'trigger');
      else if (r < 0.9) await this.pd(k, 'resolve');
      else await this.pd(k, 'acknowledge');
      await sleep(rng.between(40, 160) * this.pace);
    }
  }

  // Alertmanager ---------------------------------------------------------------------------------

  /** One webhook POST for a group: its firing alerts (some new) and the ones resolving now. */
  private async amPost(g: AmGroupLedger, rng: Rng, resolveAll = false): Promise<void> {
    const now = new Date();
    const firing: Array<{ a: AmAlertLedger; ep: AmEpisode }> = [];
    const resolving: AmAlertLedger[] = [];
    for (const a of g.alerts) {
      if (a.open) {
        if (resolveAll || rng.chance(0.25)) resolving.push(a);
        else firing.push({ a, ep: a.episodes.at(-1) as AmEpisode });
      } else if (!resolveAll && rng.chance(0.4)) {
        // Alertmanager's startsAt has millisecond precision here; a new episode never reuses one.
        const ep: AmEpisode = {
          startsAt: new Date(now.getTime()).toISOString(),
          firingOk: 0,
          firingUnknown: 0,
          resolvedOk: false,
        };
        a.episodes.push(ep);
        a.open = true;
        firing.push({ a, ep });
      }
    }
    if (!firing.length && !resolving.length) return;
    const zero = '0001-01-01T00:00:00Z';
    const alerts = [
      ...firing.map(({ a, ep }) => ({
        status: 'firing',
        labels: a.labels,
        annotations: { summary: `${a.labels.alertname} on ${a.labels.instance}` },
        startsAt: ep.startsAt,
        endsAt: zero,
        generatorURL: '',
      })),
      ...resolving.map((a) => ({
        status: 'resolved',
        labels: a.labels,
        annotations: { summary: `${a.labels.alertname} on ${a.labels.instance}` },
        startsAt: (a.episodes.at(-1) as AmEpisode).startsAt,
        endsAt: now.toISOString(),
        generatorURL: '',
      })),
    ];
    const body = {
      version: '4',
      groupKey: g.groupKey,
      truncatedAlerts: 0,
      status: firing.length ? 'firing' : 'resolved',
      receiver: 'mainstay',
      groupLabels: { alertname: g.alerts[0]?.labels.alertname },
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://alertmanager.example.test',
      alerts,
    };
    const a = await this.untilAnswered(
      `Alertmanager group ${g.groupKey}`,
      (base) => request(base, 'POST', `/api/v1/integrations/alertmanager/${this.spec.amKey}`, { body }),
      () => {
        for (const f of firing) f.ep.firingUnknown++;
      },
    );
    this.ledger.figures.amPosts++;
    this.ledger.figures.amAlertEvents += alerts.length;
    if (!ok(a)) {
      this.ledger.problems.push(`Alertmanager post answered ${a.status} ${JSON.stringify(a.body)}`);
      return;
    }
    for (const f of firing) f.ep.firingOk++;
    for (const r of resolving) {
      (r.episodes.at(-1) as AmEpisode).resolvedOk = true;
      r.open = false;
    }
  }

  private async amLoop(groups: AmGroupLedger[], rng: Rng): Promise<void> {
    while (!this.stopping) {
      await this.amPost(rng.pick(groups), rng);
      await sleep(rng.between(150, 450) * this.pace);
    }
  }

  // Checks and incidents -------------------------------------------------------------------------

  private async flipLoop(path: string, rng: Rng): Promise<void> {
    while (!this.stopping) {
      await sleep(rng.between(2_000, 7_000));
      if (this.stopping) return;
      this.target.set(path, !this.target.isFailing(path));
      this.ledger.figures.checkFlips++;
    }
  }

  private async ack(incidentId: string): Promise<void> {
    const a = await this.untilAnswered(`acknowledge ${incidentId}`, (base) =>
      request(base, 'POST', `/api/v1/incidents/${incidentId}/acknowledge`, { token: this.spec.token }),
    );
    // 409: resolved in the meantime; nothing to acknowledge.
    if (a.status === 409) return;
    if (!ok(a)) {
      this.ledger.problems.push(`acknowledge ${incidentId} answered ${a.status} ${JSON.stringify(a.body)}`);
      return;
    }
    this.ledger.acks.push({ incidentId, at: Date.now() });
    this.ledger.figures.acks++;
  }

  private async ackLoop(rng: Rng): Promise<void> {
    while (!this.stopping) {
      await sleep(rng.between(400, 1_200) * this.pace);
      const urls = this.urls();
      if (!urls.length) continue;
      const list = await request(rng.pick(urls), 'GET', '/api/v1/incidents?status=triggered&limit=100', {
        token: this.spec.token,
      });
      if (list instanceof Error || !ok(list)) continue;
      const items = list.body.items as Array<{ id: string; service: string | null; labels: Record<string, string> }>;
      const tag = (i: (typeof items)[number]) => i.labels.group ?? i.service ?? '';
      const once = items.find((i) => tag(i) === this.spec.ackOnce);
      if (once && !this.ackedOnce) {
        this.ackedOnce = true;
        await this.ack(once.id);
        continue;
      }
      const candidates = items.filter((i) => !tag(i).startsWith(this.spec.noAckPrefix));
      if (candidates.length && rng.chance(0.6)) await this.ack(rng.pick(candidates).id);
    }
  }

  // Control --------------------------------------------------------------------------------------

  /** Triggers the sticky keys and failing checks, then starts every loop. */
  async start(): Promise<void> {
    for (const p of this.spec.failing) this.target.set(p, true);
    for (const p of this.spec.flapping) this.target.set(p, this.random.chance(0.5));
    const sticky = new Set(this.spec.sticky.map((s) => s.dedupKey));
    await Promise.all(this.ledger.pd.filter((k) => sticky.has(k.dedupKey)).map((k) => this.pd(k, 'trigger')));
    const random = this.ledger.pd.filter((k) => !sticky.has(k.dedupKey));
    // Each key belongs to one loop, so its events go out in order and the ledger knows its state.
    const pdLoops = 3;
    for (let i = 0; i < pdLoops; i++) {
      const mine = random.filter((_, j) => j % pdLoops === i);
      if (mine.length) this.loops.push(this.pdLoop(mine, this.random.fork()));
    }
    const amLoops = 2;
    for (let i = 0; i < amLoops; i++) {
      const mine = this.ledger.am.filter((_, j) => j % amLoops === i);
      if (mine.length) this.loops.push(this.amLoop(mine, this.random.fork()));
    }
    for (const p of this.spec.flapping) this.loops.push(this.flipLoop(p, this.random.fork()));
    this.loops.push(this.ackLoop(this.random.fork()));
  }

  /** Stops the loops after their current request (which is still retried until answered). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** Resolves everything still open: PagerDuty keys, Alertmanager alerts, failing check targets. */
  async resolveAll(): Promise<void> {
    this.target.allUp();
    await Promise.all([
      ...this.ledger.pd.filter((k) => k.open).map((k) => this.pd(k, 'resolve')),
      ...this.ledger.am.filter((g) => g.alerts.some((a) => a.open)).map((g) => this.amPost(g, this.random, true)),
    ]);
  }

  /** Events answered 2xx so far, by kind, for the test's printout. */
  summary(): string {
    const f = this.ledger.figures;
    return `${f.pdEvents} PagerDuty events, ${f.amPosts} Alertmanager posts (${f.amAlertEvents} alert events), ${f.acks} incident acks, ${f.checkFlips} check flips, ${f.unanswered} attempts unanswered and retried`;
  }
}
