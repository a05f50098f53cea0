import type { Incident } from '../incident.model.js';
import { displayActor, formatDuration, formatInstant } from './postmortem.format.js';
import type { ActionItem, Postmortem } from './postmortem.model.js';

/**
 * The postmortem as a CommonMark / GitHub-flavoured Markdown document.
 *
 * Two kinds of user text: the free-text sections (summary, impact, root cause, lessons, list items,
 * extra sections) are Markdown the authors wrote and are kept as written; short plain-text values
 * (titles, owners, actors, timeline messages) are escaped so they cannot start a heading, a list or
 * a link, and inside table cells pipes are escaped and line breaks become `<br>` so a row stays a row.
 */

export interface MarkdownInput {
  incident: Incident;
  postmortem: Postmortem;
  actionItems: readonly ActionItem[];
}

const EMPTY = '_Not written yet._';

/** Backslash-escapes Markdown punctuation (CommonMark §2.4) in a one-line plain-text value. */
export function escapeInline(text: string): string {
  const oneLine = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  const escaped = oneLine.replace(/[\\`*_[\]<>|~#&]/g, (c) => `\\${c}`);
  // A value at the start of a line must not read as a list marker, a heading underline or an ordered item.
  return escaped.replace(/^([-+=])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

/** A table cell: escaped like inline text, but line breaks survive as `<br>`. */
export function escapeCell(text: string): string {
  const cell = text
    .trim()
    .split(/\r\n|\r|\n/)
    .map((l) => escapeInline(l))
    .join('<br>');
  return cell === '' ? ' ' : cell;
}

/** Author-written Markdown as a block; an empty section says so instead of vanishing. */
function block(text: string | undefined): string {
  const t = (text ?? '').replace(/\r\n?/g, '\n').trim();
  return t === '' ? EMPTY : t;
}

/** One list item of author-written Markdown: continuation lines are indented to stay inside the item. */
function listItem(marker: string, text: string): string {
  const indent = ' '.repeat(marker.length + 1);
  const [first = '', ...rest] = text.replace(/\r\n?/g, '\n').trim().split('\n');
  return [`${marker} ${first}`, ...rest.map((l) => (l.trim() === '' ? '' : `${indent}${l}`))].join('\n');
}

function bulletList(items: readonly string[]): string {
  const kept = items.filter((i) => i.trim() !== '');
  return kept.length ? kept.map((i) => listItem('-', i)).join('\n') : EMPTY;
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function metadata(incident: Incident, pm: Postmortem): string {
  const by = (who: string | null) => (who ? ` by ${escapeCell(displayActor(who))}` : '');
  const commander = incident.roles.find((r) => r.role === 'commander');
  const rows: string[][] = [
    ['Severity', incident.severity],
    ['Status', incident.status],
    ['Service', incident.service ? escapeCell(incident.service) : '—'],
    ['Started', formatInstant(incident.createdAt)],
    ['Acknowledged', `${formatInstant(incident.acknowledgedAt)}${by(incident.acknowledgedBy)}`],
    ['Resolved', `${formatInstant(incident.resolvedAt)}${by(incident.resolvedBy)}`],
    ['Time to acknowledge (TTA)', formatDuration(incident.ttaSeconds)],
    ['Time to resolve (TTR)', formatDuration(incident.ttrSeconds)],
  ];
  if (incident.team) rows.splice(3, 0, ['Team', escapeCell(incident.team)]);
  if (commander) rows.push(['Commander', escapeCell(commander.user)]);
  rows.push([
    'Postmortem',
    `${pm.status.replace('_', ' ')}, version ${pm.version}, updated ${formatInstant(pm.updatedAt)}${by(pm.updatedBy)}`,
  ]);
  return table(['Field', 'Value'], rows);
}

function timeline(pm: Postmortem): string {
  if (!pm.document.timeline.length) return '_No timeline entries._';
  return table(
    ['Time (UTC)', 'Who', 'What'],
    pm.document.timeline.map((e) => [
      formatInstant(e.at).replace(' UTC', ''),
      escapeCell(e.actor),
      escapeCell(e.message),
    ]),
  );
}

function fiveWhys(pm: Postmortem): string {
  const whys = pm.document.fiveWhys.filter((w) => w.why.trim() !== '' || w.because.trim() !== '');
  if (!whys.length) return EMPTY;
  return whys
    .map((w, i) => {
      const because = w.because.trim() === '' ? '_not answered yet_' : w.because.trim();
      const why = w.why.trim() === '' ? '_(question missing)_' : w.why.trim();
      return listItem(`${i + 1}.`, `**Why?** ${why}\n**Because** ${because}`);
    })
    .join('\n');
}

function actionItem(item: ActionItem): string {
  const title = escapeInline(item.title) || '(untitled)';
  const facts = [
    `owner: ${item.owner ? escapeInline(item.owner) : 'unassigned'}`,
    `due: ${item.dueDate ?? 'no date'}${item.overdue ? ' **(overdue)**' : ''}`,
  ];
  if (item.priority) facts.push(`priority: ${item.priority}`);
  if (item.status === 'in_progress') facts.push('in progress');
  if (item.status === 'done' && item.doneAt) facts.push(`done ${item.doneAt.slice(0, 10)}`);
  if (item.status === 'wont_do') return `- [ ] ~~${title}~~ — won't do (${facts.join(', ')})`;
  return `- [${item.status === 'done' ? 'x' : ' '}] ${title} — ${facts.join(', ')}`;
}

/** Renders the whole postmortem; the result ends with a newline. */
export function renderPostmortemMarkdown({ incident, postmortem, actionItems }: MarkdownInput): string {
  const doc = postmortem.document;
  const parts: string[] = [
    `# Postmortem: #${incident.number} ${escapeInline(incident.title)}`,
    metadata(incident, postmortem),
    '## Summary',
    block(doc.summary),
    '## Impact',
    block(doc.impact),
    '## Timeline',
    timeline(postmortem),
    '## Root cause',
    block(doc.rootCause),
    '## Contributing factors',
    bulletList(doc.contributingFactors),
    '## Five whys',
    fiveWhys(postmortem),
    '## What went well',
    bulletList(doc.wentWell),
    '## What went badly',
    bulletList(doc.wentBadly),
  ];
  if (doc.lessons.trim() !== '') parts.push('## Lessons learned', block(doc.lessons));
  for (const s of doc.sections) parts.push(`## ${escapeInline(s.title)}`, block(s.body));
  parts.push('## Action items', actionItems.length ? actionItems.map(actionItem).join('\n') : '_No action items._');
  return `${parts.join('\n\n')}\n`;
}
