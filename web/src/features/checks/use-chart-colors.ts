import { useEffect, useState } from 'react';

/** Colours a canvas chart needs, read from the theme's CSS variables (canvas cannot use var()). */
export interface ChartColors {
  text: string;
  grid: string;
  line: string;
  p95: string;
  failure: string;
  font: string;
}

function read(): ChartColors {
  const s = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => s.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text-muted', '#5b6472'),
    grid: v('--border', '#dde1e7'),
    line: v('--accent', '#2563eb'),
    p95: v('--warning', '#a15c00'),
    failure: v('--danger', '#c62828'),
    font: v('--font-sans', 'system-ui, sans-serif'),
  };
}

/** `#2563eb` + 0.2 → `rgba(37, 99, 235, 0.2)`; other colour syntaxes are returned as they are. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color)?.[1];
  if (!hex) return color;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  const n = Number.parseInt(full, 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * The chart colours of the theme on screen. Changes when the user toggles the theme
 * (html[data-theme]) or the system switches between light and dark.
 */
export function useChartColors(): ChartColors {
  const [colors, setColors] = useState(read);
  useEffect(() => {
    const update = () => setColors(read());
    const observer = new MutationObserver(update);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    media?.addEventListener('change', update);
    return () => {
      observer.disconnect();
      media?.removeEventListener('change', update);
    };
  }, []);
  return colors;
}
