import { type ReactNode, useEffect, useId, useRef } from 'react';
import { Button } from './button';

export interface DialogProps {
  open: boolean;
  title: ReactNode;
  /** Called on Escape, on the close button and on a click on the backdrop. */
  onClose(): void;
  children?: ReactNode;
  /** Buttons at the bottom, when the content is not a Form with its own. */
  footer?: ReactNode;
  wide?: boolean | undefined;
  /** Keeps the dialog open on Escape and backdrop clicks (e.g. while showing a secret once). */
  dismissable?: boolean | undefined;
  testId?: string | undefined;
}

/**
 * A modal dialog on the native <dialog> element: the browser traps focus, handles Escape and
 * puts the rest of the page out of reach. The content is only rendered while open.
 */
export function Dialog({ open, title, onClose, children, footer, wide, dismissable = true, testId }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  const openRef = useRef(open);
  openRef.current = open;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const onCancel = (event: Event) => {
      event.preventDefault();
      if (dismissable) onCloseRef.current();
    };
    // Chrome closes a dialog on a repeated Escape even when `cancel` is prevented; keep the state in step.
    const onNativeClose = () => {
      if (openRef.current) onCloseRef.current();
    };
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('close', onNativeClose);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('close', onNativeClose);
    };
  }, [dismissable]);

  return (
    <dialog
      ref={ref}
      className={`dialog ${wide ? 'dialog-wide' : ''}`}
      aria-labelledby={titleId}
      data-testid={testId}
      onMouseDown={(event) => {
        // A press on the ::backdrop targets the dialog element itself.
        if (dismissable && event.target === ref.current) onCloseRef.current();
      }}
    >
      {open ? (
        <>
          <div className="dialog-header">
            <h2 className="dialog-title" id={titleId}>
              {title}
            </h2>
            <Button variant="ghost" size="sm" className="dialog-close" aria-label="Close" onClick={() => onClose()}>
              ×
            </Button>
          </div>
          <div className="dialog-body">
            {children}
            {footer ? <div className="form-actions">{footer}</div> : null}
          </div>
        </>
      ) : null}
    </dialog>
  );
}
