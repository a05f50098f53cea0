import { Button } from './button';

export interface PageControlsProps {
  /** Id of the rows-per-page select (its label points at it). */
  id: string;
  limit: number;
  offset: number;
  total: number;
  sizes: readonly number[];
  onLimit(limit: number): void;
  onOffset(offset: number): void;
  disabled?: boolean;
}

/** Rows per page and Previous/Next for a list paged on the server. */
export function PageControls({
  id,
  limit,
  offset,
  total,
  sizes,
  onLimit,
  onOffset,
  disabled = false,
}: PageControlsProps) {
  return (
    <div className="row">
      <label htmlFor={id}>Rows per page</label>
      <select id={id} className="field-input" value={limit} onChange={(e) => onLimit(Number(e.target.value))}>
        {sizes.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      <Button size="sm" onClick={() => onOffset(Math.max(0, offset - limit))} disabled={offset === 0 || disabled}>
        Previous
      </Button>
      <Button size="sm" onClick={() => onOffset(offset + limit)} disabled={offset + limit >= total || disabled}>
        Next
      </Button>
    </div>
  );
}
