import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { type Check, checks } from '../../api/checks';
import { isCheckKind } from '../../features/checks/check-format';
import { ErrorState, Page, useUrlState } from '../../ui';
import { CheckForm, KindPicker } from './check-form/check-form';
import { draftFromCheck } from './check-form/form-from-check';
import { newDraft } from './check-form/form-model';

const crumbs = [{ label: 'Checks', to: '/checks' }];
const pathOf = (c: Check) => `/checks/${encodeURIComponent(c.id)}`;

/** `/checks/new`: pick a kind (kept in `?kind=`), then fill in the form. */
export function NewCheckPage() {
  const navigate = useNavigate();
  const [kindParam, setKindParam] = useUrlState('kind');
  const kind = isCheckKind(kindParam) ? kindParam : null;
  return (
    <Page
      title="New check"
      breadcrumbs={crumbs}
      description={kind ? undefined : 'What should it probe? Every kind has its own target settings.'}
      testId="new-check-page"
    >
      {kind ? (
        <CheckForm
          key={kind}
          initial={newDraft(kind)}
          onSaved={(c) => navigate(pathOf(c))}
          onCancel={() => navigate('/checks')}
          onChangeKind={() => setKindParam('')}
        />
      ) : (
        <KindPicker onPick={setKindParam} />
      )}
    </Page>
  );
}

/** `/checks/:id/edit`: the same form, filled from the stored check. */
export function EditCheckPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [check, setCheck] = useState<Check | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt only triggers a reload
  useEffect(() => {
    const controller = new AbortController();
    checks.get(id, controller.signal).then(
      (c) => {
        if (!controller.signal.aborted) setCheck(c);
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setError(err);
      },
    );
    return () => controller.abort();
  }, [id, attempt]);

  return (
    <Page
      title={check ? `Edit ${check.name}` : 'Edit check'}
      breadcrumbs={check ? [...crumbs, { label: check.name, to: pathOf(check) }] : crumbs}
      testId="edit-check-page"
    >
      {error ? (
        <ErrorState error={error} onRetry={() => setAttempt((n) => n + 1)} />
      ) : check ? (
        <CheckForm
          initial={draftFromCheck(check)}
          existing={check}
          onSaved={(c) => navigate(pathOf(c))}
          onCancel={() => navigate(pathOf(check))}
        />
      ) : (
        <p className="muted" aria-busy="true">
          Loading…
        </p>
      )}
    </Page>
  );
}
