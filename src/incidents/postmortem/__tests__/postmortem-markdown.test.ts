import { describe, expect, it } from 'vitest';
import { formatDuration, formatInstant } from '../postmortem.format.js';
import { escapeCell, escapeInline, renderPostmortemMarkdown } from '../postmortem.markdown.js';
import type { ActionItem, Postmortem, PostmortemDocument } from '../postmortem.model.js';
import { postmortemTemplate } from '../postmortem.template.js';
import { makeIncident, T0, TIMELINE } from './fixtures.js';

const iso = (ms: number) => new Date(ms).toISOString();

function postmortem(doc: Partial<PostmortemDocument> = {}): Postmortem {
  return {
    incidentId: 'inc-1',
    status: 'in_review',
    version: 3,
    document: { ...postmortemTemplate(makeIncident(), TIMELINE), ...doc },
    createdAt: iso(T0),
    updatedAt: iso(T0 + 86_400_000),
    updatedBy: 'bob@example.com',
    publishedAt: null,
  };
}

function item(overrides: Partial<ActionItem>): ActionItem {
  return {
    id: 'ai-1',
    incidentId: 'inc-1',
    title: 'Add a canary stage',
    description: '',
    owner: null,
    dueDate: null,
    status: 'open',
    priority: null,
    overdue: false,
    createdAt: iso(T0),
    createdBy: 'alice@example.com',
    updatedAt: iso(T0),
    doneAt: null,
    ...overrides,
  };
}

describe('postmortem template', () => {
  const doc = postmortemTemplate(makeIncident(), TIMELINE);

  it('keeps lifecycle, escalation, role and note entries and drops notification chatter', () => {
    expect(doc.timeline.map((e) => e.message)).toEqual([
      'Incident created from alert group checkout/5xx',
      'Escalation level 1: paging alice',
      'Acknowledged',
      'alice is commander',
      'Rolled back deploy 1234 | errors dropping',
      'Resolved',
    ]);
  });

  it('shows people by email and other actors as recorded', () => {
    expect(doc.timeline.map((e) => e.actor)).toEqual([
      'system',
      'policy:checkout-oncall',
      'alice@example.com',
      'alice@example.com',
      'bob@example.com',
      'bob@example.com',
    ]);
    expect(doc.timeline[0]?.at).toBe(iso(T0));
  });

  it('pre-fills summary and impact from the incident: title, severity, service, duration, TTA, TTR', () => {
    expect(doc.summary).toContain('SEV2 incident #42 "Checkout API returns 502" on checkout lasted 1h 12m');
    expect(doc.summary).toContain('acknowledged after 3m, resolved after 1h 12m');
    expect(doc.impact).toContain('- Service: checkout');
    expect(doc.impact).toContain('From 2026-11-20 10:00:00 UTC to 2026-11-20 11:12:00 UTC');
    expect(doc.impact).toContain('Alerts attached: 3');
  });

  it('says when the incident is still open', () => {
    const open = makeIncident({
      status: 'triggered',
      acknowledgedAt: null,
      resolvedAt: null,
      ttaSeconds: null,
      ttrSeconds: null,
    });
    const d = postmortemTemplate(open, []);
    expect(d.summary).toContain('is not resolved yet (not acknowledged, not resolved yet)');
    expect(d.impact).toContain('to now (still open)');
    expect(d.timeline).toEqual([]);
  });

  it('starts with five whys, the first one asked, and empty lists', () => {
    expect(doc.fiveWhys).toHaveLength(5);
    expect(doc.fiveWhys[0]?.why).toBe('Why did "Checkout API returns 502" happen?');
    expect(doc).toMatchObject({
      rootCause: '',
      contributingFactors: [],
      wentWell: [],
      wentBadly: [],
      lessons: '',
      sections: [],
    });
  });
});

describe('formatting', () => {
  it.each([
    [0, '0s'],
    [59, '59s'],
    [180, '3m'],
    [200, '3m 20s'],
    [4320, '1h 12m'],
    [7200, '2h'],
    [86_400 + 30, '1d'],
    [2 * 86_400 + 4 * 3600 + 59, '2d 4h'],
  ])('%i seconds read as %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });

  it('an unknown duration or instant is a dash', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatInstant(null)).toBe('—');
  });
});

describe('Markdown escaping', () => {
  it('plain text cannot open a link, emphasis, HTML or a table cell', () => {
    expect(escapeInline('a|b *c* [d](e) <script> _f_ `g`')).toBe(
      'a\\|b \\*c\\* \\[d\\](e) \\<script\\> \\_f\\_ \\`g\\`',
    );
  });

  it('plain text at the start of a line cannot become a heading or a list', () => {
    expect(escapeInline('# not a heading')).toBe('\\# not a heading');
    expect(escapeInline('- not a list')).toBe('\\- not a list');
    expect(escapeInline('1. not a list')).toBe('1\\. not a list');
  });

  it('plain text is folded onto one line', () => {
    expect(escapeInline('one\n two\r\nthree')).toBe('one two three');
  });

  it('a table cell keeps its line breaks as <br> and its pipes escaped', () => {
    expect(escapeCell('a | b\nc\n')).toBe('a \\| b<br>c');
    expect(escapeCell('')).toBe(' ');
  });
});

describe('Markdown export', () => {
  const incident = makeIncident();

  it('renders the heading, the metadata table and every section in order', () => {
    const md = renderPostmortemMarkdown({ incident, postmortem: postmortem(), actionItems: [] });
    expect(md.startsWith('# Postmortem: #42 Checkout API returns 502\n')).toBe(true);
    expect(md.endsWith('\n')).toBe(true);
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## Summary',
      '## Impact',
      '## Timeline',
      '## Root cause',
      '## Contributing factors',
      '## Five whys',
      '## What went well',
      '## What went badly',
      '## Action items',
    ]);
    expect(md).toContain('| Field | Value |\n| --- | --- |\n| Severity | SEV2 |');
    expect(md).toContain('| Service | checkout |');
    expect(md).toContain('| Started | 2026-11-20 10:00:00 UTC |');
    expect(md).toContain('| Acknowledged | 2026-11-20 10:03:00 UTC by alice@example.com |');
    expect(md).toContain('| Resolved | 2026-11-20 11:12:00 UTC by bob@example.com |');
    expect(md).toContain('| Time to acknowledge (TTA) | 3m |');
    expect(md).toContain('| Time to resolve (TTR) | 1h 12m |');
    expect(md).toContain('| Commander | alice@example.com |');
    expect(md).toContain('| Postmortem | in review, version 3, updated 2026-11-21 10:00:00 UTC by bob@example.com |');
    expect(md).toContain('## Root cause\n\n_Not written yet._');
    expect(md).toContain('_No action items._');
  });

  it('renders the timeline as a table whose rows survive pipes and newlines in messages', () => {
    const pm = postmortem({
      timeline: [{ at: iso(T0 + 600_000), actor: 'bob@example.com', message: 'Rolled back | step 1\nstep 2' }],
    });
    const md = renderPostmortemMarkdown({ incident, postmortem: pm, actionItems: [] });
    expect(md).toContain(
      '| Time (UTC) | Who | What |\n| --- | --- | --- |\n| 2026-11-20 10:10:00 | bob@example.com | Rolled back \\| step 1<br>step 2 |',
    );
  });

  it('numbers the five whys and leaves out empty ones', () => {
    const pm = postmortem({
      fiveWhys: [
        { why: 'Why did checkout fail?', because: 'The database ran out of connections.' },
        { why: '', because: '' },
        { why: 'Why did it run out?', because: '' },
      ],
    });
    const md = renderPostmortemMarkdown({ incident, postmortem: pm, actionItems: [] });
    expect(md).toContain(
      '1. **Why?** Why did checkout fail?\n   **Because** The database ran out of connections.\n2. **Why?** Why did it run out?\n   **Because** _not answered yet_',
    );
  });

  it('keeps authors’ Markdown in sections and indents multi-line list items', () => {
    const pm = postmortem({
      rootCause: 'The pool was **too small**.\n\n```\nmax_connections = 20\n```',
      contributingFactors: ['No alert on pool saturation', 'Deploy at 17:00\non a Friday'],
      wentWell: ['Rollback took 2 minutes'],
      lessons: 'Alert on saturation, not on errors.',
      sections: [{ title: 'Customer communication | status page', body: 'Posted at 10:15.' }],
    });
    const md = renderPostmortemMarkdown({ incident, postmortem: pm, actionItems: [] });
    expect(md).toContain('## Root cause\n\nThe pool was **too small**.\n\n```\nmax_connections = 20\n```');
    expect(md).toContain('- No alert on pool saturation\n- Deploy at 17:00\n  on a Friday');
    expect(md).toContain('## What went well\n\n- Rollback took 2 minutes');
    expect(md).toContain('## What went badly\n\n_Not written yet._');
    expect(md).toContain('## Lessons learned\n\nAlert on saturation, not on errors.');
    expect(md).toContain('## Customer communication \\| status page\n\nPosted at 10:15.');
  });

  it('lists action items as a checklist with owner, due date and state', () => {
    const items = [
      item({
        title: 'Raise pool size',
        owner: 'alice@example.com',
        dueDate: '2026-11-25',
        status: 'done',
        doneAt: iso(T0 + 86_400_000),
      }),
      item({
        title: 'Alert on saturation',
        owner: 'first_last@example.com',
        dueDate: '2026-11-19',
        overdue: true,
        status: 'in_progress',
        priority: 'high',
      }),
      item({ title: 'Rewrite the ORM', status: 'wont_do' }),
      item({ title: '[urgent] fix | it' }),
    ];
    const md = renderPostmortemMarkdown({ incident, postmortem: postmortem(), actionItems: items });
    expect(md).toContain(
      [
        '## Action items',
        '',
        '- [x] Raise pool size — owner: alice@example.com, due: 2026-11-25, done 2026-11-21',
        '- [ ] Alert on saturation — owner: first\\_last@example.com, due: 2026-11-19 **(overdue)**, priority: high, in progress',
        "- [ ] ~~Rewrite the ORM~~ — won't do (owner: unassigned, due: no date)",
        '- [ ] \\[urgent\\] fix \\| it — owner: unassigned, due: no date',
      ].join('\n'),
    );
  });

  it('escapes the incident title in the heading', () => {
    const md = renderPostmortemMarkdown({
      incident: makeIncident({ title: 'DB <primary> down\n# again' }),
      postmortem: postmortem(),
      actionItems: [],
    });
    expect(md.split('\n')[0]).toBe('# Postmortem: #42 DB \\<primary\\> down \\# again');
  });
});
