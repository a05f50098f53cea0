import { useEffect } from 'react';
import { Button, Checkbox, Select, TextField } from '../../ui';
import { useFormContext } from '../../ui/form';
import type { EscalationTarget } from './oncall-api';

/** The editor's model of a level; `key`s keep React rows stable while rows are added and removed. */
export type TargetKind = 'user' | 'schedule' | 'team' | 'channel';
export interface TargetRow {
  key: number;
  kind: TargetKind;
  value: string;
  roundRobin: boolean;
}
export interface LevelRow {
  key: number;
  minutes: string;
  targets: TargetRow[];
}

let nextKey = 1;
export const newTarget = (kind: TargetKind = 'schedule', value = '', roundRobin = false): TargetRow => ({
  key: nextKey++,
  kind,
  value,
  roundRobin,
});
export const newLevel = (minutes = '30', targets: TargetRow[] = [newTarget()]): LevelRow => ({
  key: nextKey++,
  minutes,
  targets,
});

export function toRows(
  levels: ReadonlyArray<{ escalateAfterMinutes: number; targets: EscalationTarget[] }>,
): LevelRow[] {
  return levels.map((l) =>
    newLevel(
      String(l.escalateAfterMinutes),
      l.targets.map((t) =>
        'user' in t
          ? newTarget('user', t.user)
          : 'schedule' in t
            ? newTarget('schedule', t.schedule)
            : 'team' in t
              ? newTarget('team', t.team, t.roundRobin ?? false)
              : newTarget('channel', t.channel),
      ),
    ),
  );
}

export function fromRows(
  rows: readonly LevelRow[],
): Array<{ escalateAfterMinutes: number; targets: EscalationTarget[] }> {
  return rows.map((l) => ({
    escalateAfterMinutes: l.minutes.trim() === '' ? Number.NaN : Number(l.minutes),
    targets: l.targets.map((t): EscalationTarget => {
      const v = t.value.trim();
      if (t.kind === 'user') return { user: v };
      if (t.kind === 'schedule') return { schedule: v };
      if (t.kind === 'team') return { team: v, roundRobin: t.roundRobin };
      return { channel: v };
    }),
  }));
}

/** Shows the form's error for `name` (and paths below it) where no single input stands for it. */
export function FieldErrorSlot({ name }: { name: string }) {
  const form = useFormContext();
  useEffect(() => form?.register(name), [form?.register, name]);
  const error = form?.errorFor(name);
  return error ? (
    <p className="field-error" data-testid={`field-error-${name}`} style={{ margin: 0 }}>
      {error}
    </p>
  ) : null;
}

const KIND_OPTIONS = [
  { value: 'schedule', label: 'Schedule' },
  { value: 'user', label: 'Person' },
  { value: 'team', label: 'Team' },
  { value: 'channel', label: 'Channel' },
];
const PLACEHOLDER: Record<TargetKind, string> = {
  schedule: 'primary',
  user: 'name@example.com',
  team: 'ops',
  channel: 'ops-slack',
};

export interface Suggestions {
  schedules: string[];
  channels: string[];
}

function TargetEditor({
  path,
  row,
  onChange,
  onRemove,
  lists,
}: {
  path: string;
  row: TargetRow;
  onChange(row: TargetRow): void;
  onRemove: (() => void) | null;
  lists: { schedule: string; channel: string };
}) {
  const list = row.kind === 'schedule' ? lists.schedule : row.kind === 'channel' ? lists.channel : undefined;
  return (
    <div className={`target-row ${row.kind === 'team' ? 'target-row-team' : ''}`} data-testid="policy-target">
      <Select
        name={`${path}.targetKind`}
        label={<span className="visually-hidden">Target kind</span>}
        value={row.kind}
        onChange={(v) => onChange({ ...row, kind: v as TargetKind, value: '' })}
        options={KIND_OPTIONS}
        testId="target-kind"
      />
      <TextField
        name={`${path}.targetValue`}
        label={<span className="visually-hidden">Target</span>}
        value={row.value}
        onChange={(v) => onChange({ ...row, value: v })}
        placeholder={PLACEHOLDER[row.kind]}
        type={row.kind === 'user' ? 'email' : 'text'}
        list={list}
        autoComplete="off"
        testId="target-value"
      />
      {row.kind === 'team' ? (
        <Checkbox
          name={`${path}.targetRoundRobin`}
          label="One member in turn"
          checked={row.roundRobin}
          onChange={(v) => onChange({ ...row, roundRobin: v })}
        />
      ) : null}
      <Button
        size="sm"
        variant="ghost"
        onClick={onRemove ?? undefined}
        disabled={!onRemove}
        aria-label="Remove target"
        testId="remove-target"
      >
        Remove
      </Button>
    </div>
  );
}

/** Levels in order; each with its targets and the minutes before the next level is paged. */
export function LevelsEditor({
  levels,
  onChange,
  suggestions,
}: {
  levels: LevelRow[];
  onChange(levels: LevelRow[]): void;
  suggestions: Suggestions;
}) {
  const lists = { schedule: 'policy-schedules', channel: 'policy-channels' };
  const set = (i: number, level: LevelRow) => onChange(levels.map((l, j) => (j === i ? level : l)));
  return (
    <div className="levels" data-testid="policy-levels">
      <p className="field-hint level-none">
        A schedule pages whoever is on call at that moment; a team pages every member, or one member in turn; a channel
        is told but cannot acknowledge.
      </p>
      <datalist id={lists.schedule}>
        {suggestions.schedules.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <datalist id={lists.channel}>
        {suggestions.channels.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      {levels.map((level, i) => (
        <fieldset key={level.key} className="level" data-testid="policy-level">
          <legend className="level-title">Level {i + 1}</legend>
          <div className="level-head">
            <span className="muted level-when">
              {i === 0 ? 'Paged when the incident opens.' : `Paged if level ${i} has not acknowledged.`}
            </span>
            <div className="level-actions">
              <Button
                size="sm"
                variant="ghost"
                disabled={i === 0}
                onClick={() =>
                  onChange([...levels.slice(0, i - 1), level, levels[i - 1] as LevelRow, ...levels.slice(i + 1)])
                }
                aria-label={`Move level ${i + 1} up`}
              >
                ↑
              </Button>
              <Button
                size="sm"
                variant="ghost"
                disabled={i === levels.length - 1}
                onClick={() =>
                  onChange([...levels.slice(0, i), levels[i + 1] as LevelRow, level, ...levels.slice(i + 2)])
                }
                aria-label={`Move level ${i + 1} down`}
              >
                ↓
              </Button>
              <Button
                size="sm"
                variant="ghost"
                disabled={levels.length === 1}
                onClick={() => onChange(levels.filter((_, j) => j !== i))}
                testId="remove-level"
              >
                Remove level
              </Button>
            </div>
          </div>
          <div className="level-targets">
            {level.targets.map((t, j) => (
              <TargetEditor
                key={t.key}
                path={`levels.${i}.target${j}`}
                row={t}
                lists={lists}
                onChange={(row) => set(i, { ...level, targets: level.targets.map((x, k) => (k === j ? row : x)) })}
                onRemove={() => set(i, { ...level, targets: level.targets.filter((_, k) => k !== j) })}
              />
            ))}
            {!level.targets.length ? <p className="muted level-none">No targets: this level pages nobody.</p> : null}

            <FieldErrorSlot name={`levels.${i}.targets`} />
            <div>
              <Button
                size="sm"
                onClick={() => set(i, { ...level, targets: [...level.targets, newTarget()] })}
                testId="add-target"
              >
                Add target
              </Button>
            </div>
          </div>
          <div className="level-minutes">
            <TextField
              name={`levels.${i}.escalateAfterMinutes`}
              label={
                i === levels.length - 1 ? 'Minutes before repeating or giving up' : `Minutes before level ${i + 2}`
              }
              type="number"
              min={1}
              max={1440}
              value={level.minutes}
              onChange={(v) => set(i, { ...level, minutes: v })}
              testId="level-minutes"
            />
          </div>
        </fieldset>
      ))}
      <div>
        <Button onClick={() => onChange([...levels, newLevel()])} testId="add-level">
          Add level
        </Button>
      </div>
    </div>
  );
}
