import type { ReactNode } from 'react';
import { Badge } from '../../ui';
import { MatcherChips } from './alert-badges';
import { formatDuration } from './alert-format';
import type { RouteNode } from './alerts-api';

export interface RouteTreeProps {
  node: RouteNode;
  /** Paths a tested label set reached (their receivers get the alert). */
  matched: ReadonlySet<string>;
  /** Paths on the way to a matched route. */
  onPath: ReadonlySet<string>;
  /** A path to point at, e.g. from an alert's why-trail. */
  focus?: string | undefined;
  depth?: number;
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="route-fact">
      <span className="route-fact-label">{label}</span>
      <span>{children}</span>
    </div>
  );
}

/** The compiled routing tree as nested cards; inherited settings are already filled in. */
export function RouteTree({ node, matched, onPath, focus, depth = 0 }: RouteTreeProps) {
  const isMatch = matched.has(node.path);
  const classes = [
    'route-card',
    isMatch ? 'route-matched' : '',
    !isMatch && onPath.has(node.path) ? 'route-on-path' : '',
    focus === node.path ? 'route-focus' : '',
  ].join(' ');
  return (
    <div className="route-node" data-testid="route-node" data-path={node.path} data-matched={isMatch || undefined}>
      <div className={classes} id={`route-${node.path}`}>
        <div className="route-head">
          <span className="route-path mono">{node.path}</span>
          {isMatch ? (
            <Badge tone="success" testId="route-matched">
              matched
            </Badge>
          ) : null}
          {node.continue ? (
            <Badge tone="info" title="Matching goes on with the next sibling after this route matches">
              continue
            </Badge>
          ) : null}
          <span className="spacer" />
          <span className="route-receiver">
            → <strong>{node.receiver}</strong>
          </span>
        </div>
        <div className="route-facts">
          <Fact label="Matches">
            {node.matchers.length ? (
              <MatcherChips matchers={node.matchers} />
            ) : (
              <span className="muted">{depth === 0 ? 'every alert' : 'every alert that reaches it'}</span>
            )}
          </Fact>
          <Fact label="Group by">
            {node.groupBy.length === 0 ? (
              <span className="muted">nothing (one group)</span>
            ) : node.groupBy[0] === '...' ? (
              'every label'
            ) : (
              <span className="mono">{node.groupBy.join(', ')}</span>
            )}
          </Fact>
          <Fact label="Timers">
            <span className="mono">
              wait {formatDuration(node.groupWaitMs)} · interval {formatDuration(node.groupIntervalMs)} · repeat{' '}
              {formatDuration(node.repeatIntervalMs)}
            </span>
          </Fact>
          {node.muteTimeIntervals.length ? (
            <Fact label="Muted during">
              <span className="mono">{node.muteTimeIntervals.join(', ')}</span>
            </Fact>
          ) : null}
          {node.activeTimeIntervals.length ? (
            <Fact label="Active only during">
              <span className="mono">{node.activeTimeIntervals.join(', ')}</span>
            </Fact>
          ) : null}
        </div>
      </div>
      {node.children.length ? (
        <div className="route-children">
          {node.children.map((c) => (
            <RouteTree key={c.path} node={c} matched={matched} onPath={onPath} focus={focus} depth={depth + 1} />
          ))}
        </div>
      ) : null}
    </div>
  );
}
