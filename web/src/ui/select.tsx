import type { ReactNode } from 'react';
import { type FieldFrameProps, useField } from './field';

export interface SelectOption {
  value: string;
  label: string;
  disabled?: boolean | undefined;
}

export interface SelectProps extends FieldFrameProps {
  value: string;
  onChange(value: string): void;
  options: readonly SelectOption[];
  label: ReactNode;
  disabled?: boolean | undefined;
  required?: boolean | undefined;
  testId?: string | undefined;
}

/** A labelled native select that shows its hint and its error from the form. */
export function Select({
  name,
  label,
  hint,
  error,
  optional,
  id,
  value,
  onChange,
  options,
  testId,
  ...rest
}: SelectProps) {
  const field = useField({ name, label, hint, error, optional, id });
  return field.frame(
    <select
      {...rest}
      id={field.id}
      name={name}
      className="field-input"
      value={value}
      onChange={(e) => {
        field.onEdit();
        onChange(e.target.value);
      }}
      aria-invalid={field.error ? true : undefined}
      aria-describedby={field.describedBy}
      data-testid={testId}
    >
      {options.map((o) => (
        <option key={o.value} value={o.value} disabled={o.disabled}>
          {o.label}
        </option>
      ))}
    </select>,
  );
}
