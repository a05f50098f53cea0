import type { ReactNode } from 'react';
import { useField } from './field';

export interface CheckboxProps {
  name: string;
  label: ReactNode;
  checked: boolean;
  onChange(checked: boolean): void;
  hint?: ReactNode;
  error?: string | undefined;
  disabled?: boolean | undefined;
  testId?: string | undefined;
}

/** A labelled checkbox; its label sits beside the box. */
export function Checkbox({ name, label, checked, onChange, hint, error, disabled, testId }: CheckboxProps) {
  const field = useField({ name, label, hint, error });
  return (
    <div className="field">
      <div className="field-check">
        <input
          id={field.id}
          name={name}
          type="checkbox"
          checked={checked}
          disabled={disabled}
          onChange={(e) => {
            field.onEdit();
            onChange(e.target.checked);
          }}
          aria-invalid={field.error ? true : undefined}
          aria-describedby={field.describedBy}
          data-testid={testId}
        />
        <label htmlFor={field.id}>{label}</label>
      </div>
      {field.error ? (
        <p className="field-error" style={{ margin: 0 }}>
          {field.error}
        </p>
      ) : null}
      {hint ? (
        <p className="field-hint" id={`${field.id}-hint`} style={{ margin: 0 }}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
