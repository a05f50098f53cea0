import { type ReactNode, useEffect, useId } from 'react';
import { useFormContext } from './form';

export interface FieldFrameProps {
  /** The API path this input edits (e.g. `email`); the form shows that path's error here. */
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  /** Marks the label "(optional)". */
  optional?: boolean | undefined;
  id?: string | undefined;
}

export interface FieldState {
  id: string;
  error: string | undefined;
  describedBy: string | undefined;
  /** Call on every edit so a stale server error disappears. */
  onEdit(): void;
  frame(input: ReactNode): ReactNode;
}

/** Shared wiring of every input: label, hint, error from the form, ids for aria-describedby. */
export function useField({ name, label, hint, error, optional, id }: FieldFrameProps): FieldState {
  const form = useFormContext();
  const autoId = useId();
  const inputId = id ?? `f${autoId.replace(/:/g, '')}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  useEffect(() => form?.register(name), [form?.register, name]);
  const shown = error ?? form?.errorFor(name);
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = shown ? `${inputId}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return {
    id: inputId,
    error: shown,
    describedBy,
    onEdit: () => form?.touched(name),
    frame: (input) => (
      <div className="field">
        <label className="field-label" htmlFor={inputId}>
          {label}
          {optional ? <span className="field-optional"> (optional)</span> : null}
        </label>
        {input}
        {shown ? (
          <p className="field-error" id={errorId} data-testid={`field-error-${name}`} style={{ margin: 0 }}>
            {shown}
          </p>
        ) : null}
        {hint ? (
          <p className="field-hint" id={hintId} style={{ margin: 0 }}>
            {hint}
          </p>
        ) : null}
      </div>
    ),
  };
}
