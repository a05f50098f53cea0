import { Button, Select, TextField } from '../../ui';
import { MATCH_OPS, type MatcherParts, type MatchOp } from './alert-format';

export interface MatcherRow extends MatcherParts {
  key: number;
}

const OP_LABELS: Record<MatchOp, string> = {
  '=': '= equals',
  '!=': '!= differs',
  '=~': '=~ regex',
  '!~': '!~ not regex',
};

export interface MatcherRowsProps {
  rows: readonly MatcherRow[];
  onChange(rows: MatcherRow[]): void;
  /** Errors by row index (from the preview); the form's own errors come by field name `matchers.N`. */
  errors?: ReadonlyMap<number, string> | undefined;
}

let nextKey = 1;
export function newRow(parts: Partial<MatcherParts> = {}): MatcherRow {
  return { key: nextKey++, name: parts.name ?? '', op: parts.op ?? '=', value: parts.value ?? '' };
}

/** Editable matchers: label name, operator, value; one row each. */
export function MatcherRows({ rows, onChange, errors }: MatcherRowsProps) {
  const update = (i: number, patch: Partial<MatcherParts>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="matcher-rows" data-testid="matcher-rows">
      {rows.map((r, i) => (
        <div key={r.key} className="matcher-row" data-testid="matcher-row">
          <TextField
            name={`matcherName.${i}`}
            label="Label"
            value={r.name}
            onChange={(name) => update(i, { name })}
            placeholder="alertname"
            spellCheck={false}
            autoComplete="off"
            testId="matcher-name"
          />
          <Select
            name={`matcherOp.${i}`}
            label="Operator"
            value={r.op}
            onChange={(op) => update(i, { op: op as MatchOp })}
            options={MATCH_OPS.map((op) => ({ value: op, label: OP_LABELS[op] }))}
            testId="matcher-op"
          />
          <TextField
            name={`matchers.${i}`}
            label="Value"
            value={r.value}
            onChange={(value) => update(i, { value })}
            placeholder={r.op.endsWith('~') ? 'api|web' : 'value'}
            spellCheck={false}
            autoComplete="off"
            error={errors?.get(i)}
            testId="matcher-value"
          />
          <Button
            variant="ghost"
            aria-label={`Remove matcher ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
            disabled={rows.length === 1}
            testId="remove-matcher"
          >
            ×
          </Button>
        </div>
      ))}
      <div>
        <Button size="sm" onClick={() => onChange([...rows, newRow()])} testId="add-matcher">
          Add matcher
        </Button>
      </div>
    </div>
  );
}
