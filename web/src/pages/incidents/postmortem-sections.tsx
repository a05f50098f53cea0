import { Button, TextArea, TextField } from '../../ui';
import type { PostmortemDocument } from './incidents-api';

/**
 * Editors of the postmortem's list sections. Inputs are named after the API paths
 * (`document.fiveWhys.2.because`) so the server's field errors land under them.
 */

function replaceAt<T>(list: readonly T[], index: number, value: T): T[] {
  return list.map((x, i) => (i === index ? value : x));
}

function removeAt<T>(list: readonly T[], index: number): T[] {
  return list.filter((_, i) => i !== index);
}

function RemoveButton({ label, onClick }: { label: string; onClick(): void }) {
  return (
    <Button size="sm" variant="ghost" className="pm-remove" aria-label={label} onClick={onClick}>
      Remove
    </Button>
  );
}

export function StringListEditor({
  name,
  label,
  items,
  onChange,
  placeholder,
  addLabel,
}: {
  name: string;
  label: string;
  items: readonly string[];
  onChange(items: string[]): void;
  placeholder: string;
  addLabel: string;
}) {
  return (
    <fieldset className="fieldset-plain pm-section" data-testid={`pm-${name.split('.').pop()}`}>
      <legend className="pm-heading">{label}</legend>
      {items.map((item, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the list; the text is what changes
        <div key={i} className="pm-row">
          <TextField
            name={`${name}.${i}`}
            label={<span className="visually-hidden">{`${label} ${i + 1}`}</span>}
            value={item}
            onChange={(v) => onChange(replaceAt(items, i, v))}
            placeholder={placeholder}
          />
          <RemoveButton label={`Remove ${label.toLowerCase()} ${i + 1}`} onClick={() => onChange(removeAt(items, i))} />
        </div>
      ))}
      {!items.length ? <p className="muted pm-empty">None yet.</p> : null}
      <div>
        <Button size="sm" onClick={() => onChange([...items, ''])}>
          {addLabel}
        </Button>
      </div>
    </fieldset>
  );
}

export function FiveWhysEditor({
  items,
  onChange,
}: {
  items: PostmortemDocument['fiveWhys'];
  onChange(items: PostmortemDocument['fiveWhys']): void;
}) {
  return (
    <fieldset className="fieldset-plain pm-section" data-testid="pm-fiveWhys">
      <legend className="pm-heading">Five whys</legend>
      <ol className="pm-whys">
        {items.map((w, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: each row is a step of the chain, by position
          <li key={i} className="pm-why">
            <TextField
              name={`document.fiveWhys.${i}.why`}
              label={`Why ${i + 1}`}
              value={w.why}
              onChange={(v) => onChange(replaceAt(items, i, { ...w, why: v }))}
              placeholder={i === 0 ? 'Why did it happen?' : 'Why was that?'}
            />
            <TextField
              name={`document.fiveWhys.${i}.because`}
              label="Because"
              value={w.because}
              onChange={(v) => onChange(replaceAt(items, i, { ...w, because: v }))}
            />
            <RemoveButton label={`Remove why ${i + 1}`} onClick={() => onChange(removeAt(items, i))} />
          </li>
        ))}
      </ol>
      <div>
        <Button size="sm" onClick={() => onChange([...items, { why: '', because: '' }])}>
          Add a why
        </Button>
      </div>
    </fieldset>
  );
}

/** `2026-11-22T00:11:21.886Z` as a datetime-local value in the browser's zone, with seconds. */
function toLocalInput(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}

function fromLocalInput(value: string, fallback: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? fallback : new Date(ms).toISOString();
}

export function PostmortemTimelineEditor({
  items,
  onChange,
}: {
  items: PostmortemDocument['timeline'];
  onChange(items: PostmortemDocument['timeline']): void;
}) {
  return (
    <fieldset className="fieldset-plain pm-section" data-testid="pm-timeline">
      <legend className="pm-heading">Timeline</legend>
      <p className="field-hint pm-hint">
        Pre-filled from the incident's timeline; keep what tells the story. Your local time.
      </p>
      {items.map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the list
        <div key={i} className="pm-timeline-row">
          <TextField
            name={`document.timeline.${i}.at`}
            label={<span className="visually-hidden">{`Time of entry ${i + 1}`}</span>}
            type="datetime-local"
            step={1}
            value={toLocalInput(e.at)}
            onChange={(v) => onChange(replaceAt(items, i, { ...e, at: fromLocalInput(v, e.at) }))}
          />
          <TextField
            name={`document.timeline.${i}.actor`}
            label={<span className="visually-hidden">{`Who, entry ${i + 1}`}</span>}
            value={e.actor}
            placeholder="who"
            onChange={(v) => onChange(replaceAt(items, i, { ...e, actor: v }))}
          />
          <TextField
            name={`document.timeline.${i}.message`}
            label={<span className="visually-hidden">{`What happened, entry ${i + 1}`}</span>}
            value={e.message}
            placeholder="what happened"
            onChange={(v) => onChange(replaceAt(items, i, { ...e, message: v }))}
          />
          <RemoveButton label={`Remove timeline entry ${i + 1}`} onClick={() => onChange(removeAt(items, i))} />
        </div>
      ))}
      <div>
        <Button
          size="sm"
          onClick={() => onChange([...items, { at: new Date().toISOString(), actor: '', message: '' }])}
        >
          Add an entry
        </Button>
      </div>
    </fieldset>
  );
}

export function CustomSectionsEditor({
  items,
  onChange,
}: {
  items: PostmortemDocument['sections'];
  onChange(items: PostmortemDocument['sections']): void;
}) {
  return (
    <fieldset className="fieldset-plain pm-section" data-testid="pm-sections">
      <legend className="pm-heading">More sections</legend>
      {items.map((s, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the list
        <div key={i} className="pm-custom">
          <div className="pm-row">
            <TextField
              name={`document.sections.${i}.title`}
              label="Section title"
              value={s.title}
              onChange={(v) => onChange(replaceAt(items, i, { ...s, title: v }))}
            />
            <RemoveButton label={`Remove section ${i + 1}`} onClick={() => onChange(removeAt(items, i))} />
          </div>
          <TextArea
            name={`document.sections.${i}.body`}
            label="Text"
            rows={4}
            value={s.body}
            onChange={(v) => onChange(replaceAt(items, i, { ...s, body: v }))}
          />
        </div>
      ))}
      <div>
        <Button size="sm" onClick={() => onChange([...items, { title: '', body: '' }])} testId="pm-add-section">
          Add a section
        </Button>
      </div>
    </fieldset>
  );
}
