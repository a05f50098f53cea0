import { Badge } from '../../ui';
import type { TestResult } from './notify-api';

/** A channel's answer to a test message: ok or failed, status code, latency, error or response body. */
export function TestResultView({ result }: { result: TestResult }) {
  return (
    <div
      className={`test-result ${result.ok ? 'test-result-ok' : 'test-result-failed'}`}
      role="status"
      data-testid="test-result"
    >
      <Badge tone={result.ok ? 'success' : 'danger'}>{result.ok ? 'delivered' : 'failed'}</Badge>
      {result.statusCode !== undefined ? <span className="mono">HTTP {result.statusCode}</span> : null}
      <span className="mono">{result.latencyMs} ms</span>
      {result.error ? <span className="test-result-text">{result.error}</span> : null}
      {!result.error && result.response ? (
        <span className="test-result-text muted" title="The channel's response body">
          {result.response}
        </span>
      ) : null}
    </div>
  );
}
