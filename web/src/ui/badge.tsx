import type { ReactNode } from 'react';

export type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';

export interface BadgeProps {
  tone?: Tone | undefined;
  title?: string | undefined;
  testId?: string | undefined;
  children: ReactNode;
}

/** A short status or category label. */
export function Badge({ tone = 'neutral', title, testId, children }: BadgeProps) {
  return (
    <span className={`badge badge-${tone}`} title={title} data-testid={testId}>
      {children}
    </span>
  );
}
