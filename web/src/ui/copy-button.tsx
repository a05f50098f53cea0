import { useEffect, useState } from 'react';
import { Button } from './button';

export interface CopyButtonProps {
  text: string;
  label?: string | undefined;
  testId?: string | undefined;
}

async function copy(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection-based copy
  }
  // Plain http (not localhost) has no Clipboard API; copy through a hidden selection instead.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/** Copies `text` to the clipboard and says whether it worked. */
export function CopyButton({ text, label = 'Copy', testId }: CopyButtonProps) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2500);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <Button testId={testId} onClick={async () => setState((await copy(text)) ? 'copied' : 'failed')} aria-live="polite">
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed — select and copy' : label}
    </Button>
  );
}
