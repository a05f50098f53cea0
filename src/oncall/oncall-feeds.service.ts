import { createHash } from 'node:crypto';
import type { Actor } from '../platform/audit/audit.model.js';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Database } from '../platform/db/database.js';
import { randomSecret } from '../platform/ids.js';
import type { SecretBox } from '../platform/secrets/secret-box.js';
import type { OncallService } from './oncall.service.js';
import { feedStore } from './oncall.store.js';
import { finalTimeline, renderICalendar, shiftUid } from './schedule/index.js';
import { DAY } from './schedule/wall-clock.js';

/** A feed belongs to one schedule or to one person (all their shifts). */
export type FeedScope = { schedule: string } | { userEmail: string };

/**
 * iCalendar feeds behind secret URLs: creating and rotating a scope's token (stored hashed for
 * lookup and sealed for showing again) and rendering a token's calendar from the same timelines
 * and shifts the on-call API answers with.
 */
export class OncallFeeds {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly audit: AuditStore,
    private readonly box: SecretBox,
    private readonly oncall: OncallService,
  ) {}

  /** Creates (or replaces, revoking the old URL) the secret feed token of a scope; returns the token. */
  async newFeed(actor: Actor, scope: FeedScope): Promise<string> {
    const key = scopeKey(scope);
    return this.database.transaction(async (trx) => {
      if ('schedule' in scope) await this.oncall.schedule(trx, scope.schedule);
      const token = randomSecret(24);
      await feedStore.put(trx, {
        scope: key,
        token_hash: hashToken(token),
        token_sealed: this.box.seal(token),
        created_at: this.clock.now(),
      });
      await this.audit.record(trx, actor, {
        action: 'calendar-feeds.create',
        resourceType: 'CalendarFeed',
        resourceId: key,
        resourceName: key,
      });
      return token;
    });
  }

  async feedToken(scope: FeedScope): Promise<string | undefined> {
    const row = await feedStore.byScope(this.database.db, scopeKey(scope));
    return row ? this.box.open(row.token_sealed) : undefined;
  }

  /** The iCalendar text of a feed token (30 days back, 90 ahead), or undefined for an unknown token. */
  async renderFeed(token: string): Promise<string | undefined> {
    const db = this.database.db;
    const row = await feedStore.byHash(db, hashToken(token));
    if (!row) return undefined;
    const now = this.clock.now();
    const from = now - 30 * DAY;
    const to = now + 90 * DAY;
    const [kind, ...rest] = row.scope.split(':');
    const ref = rest.join(':');
    if (kind === 'schedule') {
      const spec = await this.oncall.findSchedule(db, ref);
      if (!spec) return undefined;
      const shifts = finalTimeline(spec, await this.oncall.extras(db, ref, from, to), from, to);
      const names = await this.oncall.names(
        db,
        shifts.map((s) => s.user),
      );
      return renderICalendar({
        name: `On call: ${ref}`,
        now,
        events: shifts.map((s) => ({
          uid: shiftUid(`schedule:${ref}`, s),
          summary: `On call: ${names.get(s.user) ?? s.user}`,
          start: s.start,
          end: s.end,
          description: `${ref} (${s.source})`,
        })),
      });
    }
    const shifts = await this.oncall.shiftsOf(ref, from, to);
    return renderICalendar({
      name: `My on-call shifts (${ref})`,
      now,
      events: shifts.map((s) => {
        const start = Date.parse(s.start);
        const end = Date.parse(s.end);
        return {
          uid: shiftUid(`user:${ref}:${s.schedule}`, { user: s.user, start, end, source: s.source }),
          summary: `On call: ${s.schedule}`,
          start,
          end,
        };
      }),
    });
  }
}

function scopeKey(scope: FeedScope): string {
  return 'schedule' in scope ? `schedule:${scope.schedule}` : `user:${scope.userEmail}`;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
