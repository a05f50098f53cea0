import { useEffect, useId, useState } from 'react';
import { users } from '../../api/accounts';
import type { User } from '../../api/types';
import { ErrorState, useDebounced } from '../../ui';

export interface UserPickerProps {
  value: User | null;
  onChange(user: User | null): void;
  label?: string | undefined;
  error?: string | undefined;
}

/** Finds a user by name or email on the server (first 10 matches) and picks one. */
export function UserPicker({ value, onChange, label = 'User', error }: UserPickerProps) {
  const id = useId();
  const [text, setText] = useState('');
  const q = useDebounced(text.trim(), 250);
  const [results, setResults] = useState<User[]>([]);
  const [total, setTotal] = useState(0);
  const [loadError, setLoadError] = useState<unknown>(null);

  useEffect(() => {
    const controller = new AbortController();
    users.list({ limit: 10, offset: 0, sort: 'name', q: q || undefined }, controller.signal).then(
      (page) => {
        setResults(page.items);
        setTotal(page.total);
        setLoadError(null);
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setLoadError(err);
      },
    );
    return () => controller.abort();
  }, [q]);

  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        type="search"
        className="field-input"
        placeholder="Search by name or email"
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={error ? true : undefined}
        autoComplete="off"
      />
      {error ? (
        <p className="field-error" style={{ margin: 0 }}>
          {error}
        </p>
      ) : null}
      {loadError ? (
        <ErrorState error={loadError} title="Could not search users" />
      ) : (
        <ul className="picker-results" aria-label="Search results">
          {results.map((u) => (
            <li key={u.id}>
              <button
                type="button"
                className="picker-option"
                aria-pressed={value?.id === u.id}
                onClick={() => onChange(value?.id === u.id ? null : u)}
              >
                <span className="cell-primary">{u.name || u.email}</span>
                <span className="cell-secondary">{u.email}</span>
              </button>
            </li>
          ))}
          {results.length === 0 ? <li className="muted picker-option">No users match.</li> : null}
        </ul>
      )}
      {total > results.length ? (
        <p className="field-hint" style={{ margin: 0 }}>
          Showing {results.length} of {total}; type more to narrow down.
        </p>
      ) : null}
    </div>
  );
}
