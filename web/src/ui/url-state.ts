import { useEffect, useState } from 'react';

/**
 * Page state mirrored in the address bar (filters, sort, page), so a reload or a shared
 * link shows the same list. Read once on mount, written back with replaceState on change;
 * several params written in one render merge instead of overwriting each other.
 */
export function readUrlParam(name: string): string | null {
  return new URLSearchParams(window.location.search).get(name);
}

export function writeUrlParams(patch: Record<string, string | undefined>): void {
  const url = new URL(window.location.href);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || value === '') url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  if (url.href !== window.location.href) window.history.replaceState(window.history.state, '', url);
}

/** A string state kept in the URL parameter `name` (omitted while it equals `fallback`). */
export function useUrlState(name: string, fallback = ''): [string, (value: string) => void] {
  const [value, setValue] = useState(() => readUrlParam(name) ?? fallback);
  useEffect(() => {
    writeUrlParams({ [name]: value === fallback ? undefined : value });
  }, [name, value, fallback]);
  return [value, setValue];
}
