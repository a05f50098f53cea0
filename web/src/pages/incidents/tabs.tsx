import { type KeyboardEvent, type ReactNode, useRef } from 'react';

export interface TabItem<K extends string> {
  key: K;
  label: ReactNode;
}

export interface TabsProps<K extends string> {
  label: string;
  tabs: readonly TabItem<K>[];
  value: K;
  onChange(key: K): void;
  testId?: string | undefined;
}

/**
 * A row of tabs (WAI-ARIA tabs pattern: arrow keys move between them). The caller renders the
 * panel; it should carry `role="tabpanel"`.
 */
export function Tabs<K extends string>({ label, tabs, value, onChange, testId }: TabsProps<K>) {
  const ref = useRef<HTMLDivElement>(null);
  function onKey(e: KeyboardEvent<HTMLButtonElement>, index: number) {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = tabs[(index + step + tabs.length) % tabs.length];
    if (!next) return;
    onChange(next.key);
    ref.current?.querySelector<HTMLButtonElement>(`[data-tab="${next.key}"]`)?.focus();
  }
  return (
    <div className="tabs" role="tablist" aria-label={label} ref={ref} data-testid={testId}>
      {tabs.map((t, i) => (
        <button
          key={t.key}
          type="button"
          role="tab"
          className="tab"
          aria-selected={t.key === value}
          tabIndex={t.key === value ? 0 : -1}
          data-tab={t.key}
          data-testid={`tab-${t.key}`}
          onClick={() => onChange(t.key)}
          onKeyDown={(e) => onKey(e, i)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
