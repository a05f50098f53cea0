import { formatDateTime, formatRelative } from './format';

export interface TimeProps {
  value: string | null | undefined;
  /** Relative ("5 minutes ago") with the full date as tooltip; absolute otherwise. */
  relative?: boolean | undefined;
  empty?: string | undefined;
}

/** A timestamp from the API in the viewer's local time, in a <time> element. */
export function Time({ value, relative = false, empty = '—' }: TimeProps) {
  if (!value) return <span className="muted">{empty}</span>;
  const full = formatDateTime(value);
  return (
    <time dateTime={value} title={full} className="nowrap">
      {relative ? formatRelative(value) : full}
    </time>
  );
}
