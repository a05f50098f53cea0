import type { ReactNode } from 'react';
import { Dialog } from './dialog';
import { Form } from './form';

export interface ConfirmDialogProps {
  open: boolean;
  title: ReactNode;
  children?: ReactNode;
  confirmLabel: string;
  danger?: boolean | undefined;
  /** The action; an ApiError it throws is shown in the dialog, which stays open. */
  onConfirm(): Promise<unknown>;
  onClose(): void;
  testId?: string | undefined;
}

/** Asks before a consequential action (revoke, delete) and shows the server's error if it fails. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger,
  onConfirm,
  onClose,
  testId,
}: ConfirmDialogProps) {
  return (
    <Dialog open={open} title={title} onClose={onClose} testId={testId}>
      <Form
        onSubmit={async () => {
          await onConfirm();
          onClose();
        }}
        submitLabel={confirmLabel}
        submitVariant={danger ? 'danger' : 'primary'}
        onCancel={onClose}
      >
        {children ? <div>{children}</div> : null}
      </Form>
    </Dialog>
  );
}
