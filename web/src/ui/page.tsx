import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';

export interface Crumb {
  label: string;
  to: string;
}

export interface PageHeaderProps {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  breadcrumbs?: Crumb[] | undefined;
}

/** The title row of a page: breadcrumbs, title, a sentence about it, and its main actions. */
export function PageHeader({ title, description, actions, breadcrumbs }: PageHeaderProps) {
  return (
    <header className="page-header">
      <div>
        {breadcrumbs?.length ? (
          <nav className="page-breadcrumb" aria-label="Breadcrumb">
            {breadcrumbs.map((c, i) => (
              <span key={c.to}>
                {i > 0 ? ' / ' : ''}
                <Link to={c.to}>{c.label}</Link>
              </span>
            ))}
          </nav>
        ) : null}
        <h1 className="page-title">{title}</h1>
        {description ? <p className="page-description">{description}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}

export interface PageProps extends PageHeaderProps {
  children?: ReactNode;
  testId?: string | undefined;
}

/** A page inside the shell: its header, then its content. */
export function Page({ children, testId, ...header }: PageProps) {
  return (
    <div className="page" data-testid={testId}>
      <PageHeader {...header} />
      {children}
    </div>
  );
}

export interface CardProps {
  title?: ReactNode;
  children?: ReactNode;
  className?: string | undefined;
}

/** A bordered surface that groups related content. */
export function Card({ title, children, className }: CardProps) {
  return (
    <section className={`card ${className ?? ''}`}>
      <div className="card-body">
        {title ? <h2 className="card-title">{title}</h2> : null}
        {children}
      </div>
    </section>
  );
}
