import { ApiError } from '../api/client';
import { Button } from './button';

export interface ErrorStateProps {
  error: unknown;
  title?: string | undefined;
  onRetry?: (() => void) | undefined;
  testId?: string | undefined;
}

const TITLES: Record<number, string> = {
  0: 'The server could not be reached',
  401: 'You are not signed in',
  403: 'You do not have access to this',
  404: 'Not found',
  429: 'Too many requests',
};

/** A failed load: the server's code, message, hint and request id, so a report can quote them. */
export function ErrorState({ error, title, onRetry, testId }: ErrorStateProps) {
  const api = error instanceof ApiError ? error : undefined;
  const message = api?.message ?? (error instanceof Error ? error.message : String(error));
  const heading = title ?? (api ? (TITLES[api.status] ?? 'Something went wrong') : 'Something went wrong');
  return (
    <div className="state state-error" role="alert" data-testid={testId ?? 'error-state'}>
      <div className="state-icon" aria-hidden="true">
        !
      </div>
      <h2 className="state-title">{heading}</h2>
      <p className="state-text">{message}</p>
      {api?.hint ? <p className="state-text">{api.hint}</p> : null}
      {api?.retryAfterSeconds !== undefined ? (
        <p className="state-text">Try again in {api.retryAfterSeconds} s.</p>
      ) : null}
      {api ? (
        <dl className="state-details">
          <dt>Status</dt>
          <dd>{api.status === 0 ? 'no response' : api.status}</dd>
          <dt>Code</dt>
          <dd>{api.code}</dd>
          {api.requestId ? (
            <>
              <dt>Request id</dt>
              <dd>{api.requestId}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      {/* Asking again does not help when the answer is "not allowed" or "not there". */}
      {onRetry && !(api && [401, 403, 404].includes(api.status)) ? <Button onClick={onRetry}>Try again</Button> : null}
    </div>
  );
}
