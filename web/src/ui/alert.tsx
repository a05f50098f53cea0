import type { ReactNode } from 'react';

export interface AlertProps {
  tone?: 'info' | 'success' | 'warning' | 'danger' | undefined;
  title?: ReactNode;
  testId?: string | undefined;
  children?: ReactNode;
}

/** An inline message box; danger and warning are announced to screen readers at once. */
export function Alert({ tone = 'info', title, testId, children }: AlertProps) {
  const urgent = tone === 'danger' || tone === 'warning';
  return (
    <div className={`alert alert-${tone}`} role={urgent ? 'alert' : 'status'} data-testid={testId}>
      {title ? <p className="alert-title">{title}</p> : null}
      {children}
    </div>
  );
}
