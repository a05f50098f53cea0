import type { CheckState } from '../../api/checks';
import { Badge } from '../../ui';
import { STATUS_TONE } from './check-format';

/** A check's status; a flapping check also gets a "flapping" badge with its state-change rate. */
export function CheckStatusBadge({ state }: { state: Pick<CheckState, 'status' | 'flapping' | 'flapPercent'> }) {
  return (
    <span className="check-status" data-testid="check-status">
      <Badge tone={STATUS_TONE[state.status]}>{state.status}</Badge>
      {state.flapping ? (
        <Badge tone="warning" title={`${Math.round(state.flapPercent)}% state changes over the last 21 results`}>
          flapping
        </Badge>
      ) : null}
    </span>
  );
}
