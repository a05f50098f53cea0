import { Button, Select, TextField } from '../../../ui';
import { JSON_OPS, type JsonRow } from './form-model';

const OP_OPTIONS = JSON_OPS.map((op) => ({ value: op, label: op.replace('_', ' ') }));

/** Rows of JSON body assertions; each input's name is its API path (`target.json.0.path`). */
export function JsonAssertions({ rows, onChange }: { rows: JsonRow[]; onChange(rows: JsonRow[]): void }) {
  const set = (i: number, patch: Partial<JsonRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="fieldset" data-testid="json-assertions">
      <legend className="field-label">JSON assertions</legend>
      <p className="field-hint" style={{ margin: 0 }}>
        A path like <code>$.status</code> or <code>$.items[0].name</code>. Values: <code>42</code>, <code>true</code>,{' '}
        <code>null</code>, or text (quote it, <code>"42"</code>, to compare as text).
      </p>
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity; the index is their API path
        <div key={i} className="json-row">
          <TextField
            name={`target.json.${i}.path`}
            label="Path"
            value={row.path}
            onChange={(path) => set(i, { path })}
            placeholder="$.status"
            spellCheck={false}
          />
          <Select
            name={`target.json.${i}.op`}
            label="Operator"
            value={row.op}
            onChange={(op) => set(i, { op })}
            options={OP_OPTIONS}
          />
          <TextField
            name={`target.json.${i}.value`}
            label="Value"
            value={row.value}
            onChange={(value) => set(i, { value })}
            disabled={row.op === 'exists' || row.op === 'not_exists'}
            spellCheck={false}
          />
          <Button
            variant="ghost"
            size="sm"
            aria-label={`Remove assertion ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            Remove
          </Button>
        </div>
      ))}
      <div>
        <Button size="sm" onClick={() => onChange([...rows, { path: '$.', op: '==', value: '' }])} testId="add-json">
          Add assertion
        </Button>
      </div>
    </fieldset>
  );
}
