import type { ReactNode } from 'react';

export interface EmptyStateProps {
  title: ReactNode;
  children?: ReactNode;
  icon?: ReactNode;
  action?: ReactNode;
  testId?: string | undefined;
}

/** What a page or list shows when there is nothing (yet): what would be here and how to add it. */
export function EmptyState({ title, children, icon = '○', action, testId }: EmptyStateProps) {
  return (
    <div className="state" data-testid={testId ?? 'empty-state'}>
      <div className="state-icon" aria-hidden="true">
        {icon}
      </div>
      <h2 className="state-title">{title}</h2>
      {children ? <div className="state-text">{children}</div> : null}
      {action ? <div className="row">{action}</div> : null}
    </div>
  );
}
