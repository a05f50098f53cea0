import { ApiError } from '../api/client';
import { Alert } from './alert';
import { Button } from './button';

export interface ErrorAlertProps {
  error: unknown;
  onDismiss?: (() => void) | undefined;
}

/** A failed action, inline: the server's message, hint, code and request id. */
export function ErrorAlert({ error, onDismiss }: ErrorAlertProps) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  const message = api?.message ?? (error instanceof Error ? error.message : String(error));
  return (
    <Alert tone="danger" title={message} testId="error-alert">
      {api?.hint ? <p>{api.hint}</p> : null}
      {api?.fields.length ? (
        <ul>
          {api.fields.map((f) => (
            <li key={`${f.path}:${f.message}`}>
              <code>{f.path}</code>: {f.message}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="row">
        {api ? (
          <small className="muted">
            {api.code}
            {api.requestId ? (
              <>
                {' '}
                · request id <span className="mono">{api.requestId}</span>
              </>
            ) : null}
          </small>
        ) : null}
        <span className="spacer" />
        {onDismiss ? (
          <Button size="sm" variant="ghost" onClick={onDismiss}>
            Dismiss
          </Button>
        ) : null}
      </div>
    </Alert>
  );
}
