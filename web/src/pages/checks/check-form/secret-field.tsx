import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router-dom';
import { secrets } from '../../../api/checks';
import { TextField } from '../../../ui';

/** Names of existing secrets, for suggestions; loaded once per form (values never leave the server). */
export function useSecretNames(): string[] {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    secrets.list({ limit: 500, offset: 0, sort: 'name' }, controller.signal).then(
      (page) => {
        if (!controller.signal.aborted) setNames(page.items.map((s) => s.name));
      },
      () => {
        // Suggestions only: without them the field still takes any name.
      },
    );
    return () => controller.abort();
  }, []);
  return names;
}

export interface SecretFieldProps {
  name: string;
  label: string;
  value: string;
  onChange(value: string): void;
  names: readonly string[];
  optional?: boolean | undefined;
}

/** A reference to a Secret by name, never the secret itself. */
export function SecretField({ name, label, value, onChange, names, optional }: SecretFieldProps) {
  const listId = useId();
  return (
    <>
      <TextField
        name={name}
        label={label}
        value={value}
        onChange={onChange}
        list={listId}
        autoComplete="off"
        spellCheck={false}
        placeholder="db-password"
        optional={optional}
        hint={
          <>
            name of a Secret (<Link to="/settings/secrets">Settings → Secrets</Link>)
          </>
        }
      />
      <datalist id={listId}>
        {names.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
    </>
  );
}
