import { useId, useMemo } from 'react';
import { timeZones } from './format';
import { TextField } from './text-field';

export interface TimeZoneFieldProps {
  name?: string | undefined;
  label?: string | undefined;
  value: string;
  onChange(value: string): void;
  hint?: string | undefined;
  optional?: boolean | undefined;
  testId?: string | undefined;
}

/** An IANA time zone input with the browser's zones as suggestions; the server validates it. */
export function TimeZoneField({
  name = 'timeZone',
  label = 'Time zone',
  value,
  onChange,
  hint,
  optional,
  testId,
}: TimeZoneFieldProps) {
  const listId = useId();
  const zones = useMemo(() => timeZones(), []);
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
        placeholder="Europe/Berlin"
        hint={hint ?? 'An IANA time zone name, e.g. Europe/Berlin or America/New_York.'}
        optional={optional}
        testId={testId}
      />
      <datalist id={listId}>
        {zones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
    </>
  );
}
