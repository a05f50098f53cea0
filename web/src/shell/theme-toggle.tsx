import { Button } from '../ui';
import { useTheme } from './theme';

/** Switches between light and dark; the first visit follows the system setting. */
export function ThemeToggle() {
  const { theme, toggle } = useTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <Button variant="ghost" size="sm" onClick={toggle} testId="theme-toggle" title={`Switch to ${next} theme`}>
      <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span>
      {next === 'dark' ? 'Dark theme' : 'Light theme'}
    </Button>
  );
}
