import type { SqlHandle } from './process.js';

const n = (v: unknown) => Number(v);

/** What is still in flight; empty when everything resolved, flushed, escalated and delivered. */
export async function pendingWork(db: SqlHandle, now = Date.now()): Promise<string[]> {
  const count = async (sql: string, params: unknown[] = []) => n((await db.all(sql, params))[0]?.c);
  const left: Array<[string, number]> = [
    ['alerts firing', await count("select count(*) as c from alerts where status = 'firing'")],
    ['alert groups', await count('select count(*) as c from alert_groups')],
    ['incidents not resolved', await count("select count(*) as c from incidents where status <> 'resolved'")],
    [
      'deliveries not final',
      await count("select count(*) as c from notify_deliveries where status in ('scheduled', 'retrying')"),
    ],
    [
      'alert notifications pending',
      await count("select count(*) as c from alert_notifications where status = 'pending'"),
    ],
    [
      'queue tasks due',
      await count("select count(*) as c from queue_tasks where state = 'pending' and run_at <= ?", [now]),
    ],
  ];
  return left.filter(([, c]) => c > 0).map(([what, c]) => `${c} ${what}`);
}

/**
 * For a failure message: the alert groups still there (members, flush bookkeeping and the queue row
 * of their flush), and the incidents not resolved with their timeline.
 */
export async function diagnose(db: SqlHandle, now = Date.now()): Promise<string[]> {
  const out: string[] = [];
  for (const g of await db.all('select * from alert_groups')) {
    const members = await db.all(
      'select a.id, a.status, a.summary, a.last_seen_at from alerts a join alert_group_members m on m.alert_id = a.id where m.group_id = ?',
      [g.id],
    );
    const task = g.flush_key
      ? (
          await db.all('select state, run_at, attempts, lease_expires_at from queue_tasks where idempotency_key = ?', [
            g.flush_key,
          ])
        )[0]
      : undefined;
    const flushes = await db.all(
      "select state, run_at, finished_at, attempts from queue_tasks where kind = 'alerts.flush' and payload like ? order by run_at",
      [`%${g.id}%`],
    );
    out.push(
      `group ${g.id} ${g.group_key} (receiver ${g.receiver}): next_flush_at ${g.next_flush_at === null ? 'null' : n(g.next_flush_at) - now} ms, flush task ${task ? JSON.stringify(task) : 'none'}, last flush ${g.last_flush_at === null ? 'never' : `${now - n(g.last_flush_at)} ms ago`}, notified ${g.notified_json}; members ${members.map((m) => `${m.id} ${m.status} seen ${now - n(m.last_seen_at)} ms ago`).join(', ')}; flush tasks ${flushes.map((f) => `${f.state}@${n(f.run_at) - now}/${f.finished_at === null ? '-' : n(f.finished_at) - now}×${f.attempts}`).join(' ')}`,
    );
  }
  const failing = await db.all(
    "select kind, attempts, run_at, last_error from queue_tasks where state in ('pending', 'dead') and last_error is not null order by run_at",
  );
  for (const t of failing.slice(0, 10))
    out.push(
      `task ${t.kind} attempt ${t.attempts}, next in ${n(t.run_at) - now} ms: ${String(t.last_error).slice(0, 300)}`,
    );
  for (const i of await db.all("select * from incidents where status <> 'resolved'")) {
    const entries = await db.all('select at, type, message from incident_timeline where incident_id = ? order by id', [
      i.id,
    ]);
    out.push(
      `incident #${i.number} ${i.status} (${i.group_key}): ${entries.map((e) => `${n(e.at) - now}ms ${e.type}: ${e.message}`).join(' | ')}`,
    );
  }
  return out;
}

/** Waits until pendingWork is empty (or `timeoutMs`); returns what was left and how long it took. */
export async function settle(
  db: SqlHandle,
  timeoutMs: number,
  onWait?: (left: string[]) => void,
): Promise<{ ms: number; left: string[] }> {
  const t0 = Date.now();
  let left = await pendingWork(db);
  let lastReport = t0;
  while (left.length && Date.now() - t0 < timeoutMs) {
    if (onWait && Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      onWait(left);
    }
    await new Promise((r) => setTimeout(r, 500));
    left = await pendingWork(db);
  }
  return { ms: Date.now() - t0, left };
}
