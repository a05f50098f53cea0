import type { InputHTMLAttributes, ReactNode } from 'react';
import { type FieldFrameProps, useField } from './field';

export interface TextFieldProps
  extends FieldFrameProps,
    Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'value' | 'onChange' | 'id' | 'children'> {
  value: string;
  onChange(value: string): void;
  label: ReactNode;
  testId?: string | undefined;
}

/** A labelled text input (any `type`) that shows its hint and its error from the form. */
export function TextField({
  name,
  label,
  hint,
  error,
  optional,
  id,
  value,
  onChange,
  testId,
  type = 'text',
  ...rest
}: TextFieldProps) {
  const field = useField({ name, label, hint, error, optional, id });
  return field.frame(
    <input
      {...rest}
      id={field.id}
      name={name}
      type={type}
      className="field-input"
      value={value}
      onChange={(e) => {
        field.onEdit();
        onChange(e.target.value);
      }}
      aria-invalid={field.error ? true : undefined}
      aria-describedby={field.describedBy}
      data-testid={testId}
    />,
  );
}

export interface TextAreaProps extends FieldFrameProps {
  value: string;
  onChange(value: string): void;
  rows?: number | undefined;
  placeholder?: string | undefined;
  disabled?: boolean | undefined;
  testId?: string | undefined;
}

/** A labelled multi-line input. */
export function TextArea({
  name,
  label,
  hint,
  error,
  optional,
  id,
  value,
  onChange,
  rows = 3,
  testId,
  ...rest
}: TextAreaProps) {
  const field = useField({ name, label, hint, error, optional, id });
  return field.frame(
    <textarea
      {...rest}
      id={field.id}
      name={name}
      rows={rows}
      className="field-input"
      value={value}
      onChange={(e) => {
        field.onEdit();
        onChange(e.target.value);
      }}
      aria-invalid={field.error ? true : undefined}
      aria-describedby={field.describedBy}
      data-testid={testId}
    />,
  );
}
