import {
  createContext,
  type FormEvent,
  type ReactNode,
  useCallback,
  useContext,
  useMemo,
  useRef,
  useState,
} from 'react';
import { ApiError, type FieldError } from '../api/client';
import { Alert } from './alert';
import { Button } from './button';

interface FormContextValue {
  /** The server's message for the field `name` (or for a path below it), if any. */
  errorFor(name: string): string | undefined;
  /** Fields announce their names, so errors for paths no field shows can be listed at the top. */
  register(name: string): () => void;
  /** Editing a field hides its stale error. */
  touched(name: string): void;
  submitting: boolean;
}

const FormContext = createContext<FormContextValue | null>(null);

function matches(path: string, name: string): boolean {
  return path === name || path.startsWith(`${name}.`);
}

export interface FormProps {
  /** Runs on submit; an ApiError it throws is shown on the form and its fields. */
  onSubmit: () => unknown;
  children: ReactNode;
  /** Renders the action row with this submit button; leave out to place your own. */
  submitLabel?: ReactNode;
  onCancel?: (() => void) | undefined;
  cancelLabel?: ReactNode;
  /** Maps API paths to field names when they differ, e.g. `{ 'spec.timeZone': 'timeZone' }`. */
  pathToField?: Record<string, string> | undefined;
  /** Disables the submit button (e.g. nothing changed yet). */
  submitDisabled?: boolean | undefined;
  submitVariant?: 'primary' | 'danger' | undefined;
  testId?: string | undefined;
  className?: string | undefined;
}

/**
 * A form that maps an API error onto its inputs: each `error.fields[].path` is shown under the
 * input with that `name`; paths no input shows, the message, hint and request id go on top.
 */
export function Form({
  onSubmit,
  children,
  submitLabel,
  onCancel,
  cancelLabel = 'Cancel',
  pathToField,
  submitDisabled,
  submitVariant = 'primary',
  testId,
  className,
}: FormProps) {
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [cleared, setCleared] = useState<ReadonlySet<string>>(new Set());
  const registered = useRef(new Map<string, number>());
  const formRef = useRef<HTMLFormElement>(null);

  const fields: FieldError[] = useMemo(() => {
    if (!(error instanceof ApiError)) return [];
    return error.fields.map((f) => ({ ...f, path: pathToField?.[f.path] ?? f.path }));
  }, [error, pathToField]);

  const register = useCallback((name: string) => {
    const names = registered.current;
    names.set(name, (names.get(name) ?? 0) + 1);
    return () => {
      const n = (names.get(name) ?? 1) - 1;
      if (n <= 0) names.delete(name);
      else names.set(name, n);
    };
  }, []);

  const touched = useCallback((name: string) => {
    setCleared((prev) => (prev.has(name) ? prev : new Set(prev).add(name)));
  }, []);

  const value = useMemo<FormContextValue>(
    () => ({
      errorFor(name) {
        if (cleared.has(name)) return undefined;
        const mine = fields.filter((f) => matches(f.path, name)).map((f) => f.message);
        return mine.length ? mine.join('; ') : undefined;
      },
      register,
      touched,
      submitting,
    }),
    [fields, cleared, register, touched, submitting],
  );

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    setSubmitting(true);
    setError(null);
    setCleared(new Set());
    try {
      await onSubmit();
    } catch (err) {
      setError(err);
      // Let React render the field errors, then move focus to the first bad input.
      requestAnimationFrame(() => {
        const bad = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
        bad?.focus();
      });
    } finally {
      setSubmitting(false);
    }
  }

  const names = [...registered.current.keys()];
  const unmatched = fields.filter((f) => !names.some((n) => matches(f.path, n)));
  const api = error instanceof ApiError ? error : undefined;

  return (
    <FormContext.Provider value={value}>
      <form
        ref={formRef}
        className={`form ${className ?? ''}`}
        onSubmit={handleSubmit}
        noValidate
        data-testid={testId}
        aria-busy={submitting || undefined}
      >
        {error ? (
          <Alert
            tone="danger"
            title={api?.message ?? (error instanceof Error ? error.message : String(error))}
            testId="form-error"
          >
            {api?.hint ? <p>{api.hint}</p> : null}
            {unmatched.length ? (
              <ul>
                {unmatched.map((f) => (
                  <li key={`${f.path}:${f.message}`}>
                    <code>{f.path || '(body)'}</code>: {f.message}
                  </li>
                ))}
              </ul>
            ) : null}
            {api?.requestId ? (
              <p className="muted">
                <small>
                  {api.code} · request id <span className="mono">{api.requestId}</span>
                </small>
              </p>
            ) : null}
          </Alert>
        ) : null}
        {children}
        {submitLabel ? (
          <div className="form-actions">
            {onCancel ? (
              <Button onClick={onCancel} disabled={submitting}>
                {cancelLabel}
              </Button>
            ) : null}
            <Button type="submit" variant={submitVariant} busy={submitting} disabled={submitDisabled}>
              {submitLabel}
            </Button>
          </div>
        ) : null}
      </form>
    </FormContext.Provider>
  );
}

/** The form this field sits in, if any (fields also work on their own with an explicit `error`). */
export function useFormContext(): FormContextValue | null {
  return useContext(FormContext);
}
