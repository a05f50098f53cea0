import { useCallback, useEffect, useState } from 'react';
import { ApiError, isApiError } from '../../api/client';
import { Alert, Badge, Button, Card, EmptyState, ErrorAlert, ErrorState, Form, Select, TextArea, Time } from '../../ui';
import { useFormContext } from '../../ui/form';
import { actorText, POSTMORTEM_STATUS_LABEL } from './incident-format';
import {
  POSTMORTEM_STATUSES,
  type Postmortem,
  type PostmortemDocument,
  type PostmortemStatus,
  postmortemApi,
} from './incidents-api';
import {
  CustomSectionsEditor,
  FiveWhysEditor,
  PostmortemTimelineEditor,
  StringListEditor,
} from './postmortem-sections';

type Load =
  | { state: 'loading' }
  | { state: 'none' }
  | { state: 'error'; error: unknown }
  | { state: 'ok'; pm: Postmortem };

function SaveButton({ dirty }: { dirty: boolean }) {
  const form = useFormContext();
  return (
    <Button type="submit" variant="primary" busy={form?.submitting} disabled={!dirty} testId="pm-save">
      Save
    </Button>
  );
}

/** Enough rows to show the text without scrolling, within reason. */
function rowsFor(text: string, min: number): number {
  return Math.min(16, Math.max(min, text.split('\n').length + 1));
}

const STATUS_TONE = { draft: 'neutral', in_review: 'warning', published: 'success' } as const;

function Editor({
  incidentId,
  pm,
  canWrite,
  onSaved,
  onReload,
}: {
  incidentId: string;
  pm: Postmortem;
  canWrite: boolean;
  onSaved(pm: Postmortem): void;
  onReload(): Promise<Postmortem | null>;
}) {
  const [doc, setDoc] = useState<PostmortemDocument>(pm.document);
  const [status, setStatus] = useState<PostmortemStatus>(pm.status);
  const [version, setVersion] = useState(pm.version);
  const [conflict, setConflict] = useState(false);
  const [saved, setSaved] = useState(false);
  const dirty = status !== pm.status || JSON.stringify(doc) !== JSON.stringify(pm.document) || version !== pm.version;
  const set =
    <K extends keyof PostmortemDocument>(key: K) =>
    (value: PostmortemDocument[K]) => {
      setSaved(false);
      setDoc((d) => ({ ...d, [key]: value }));
    };

  async function save() {
    setConflict(false);
    try {
      const next = await postmortemApi.save(incidentId, { version, status, document: doc });
      setVersion(next.version);
      setSaved(true);
      onSaved(next);
    } catch (err) {
      if (isApiError(err) && err.status === 409) setConflict(true);
      throw err;
    }
  }

  async function keepMine() {
    const theirs = await onReload();
    if (theirs) setVersion(theirs.version);
    setConflict(false);
  }

  async function takeTheirs() {
    const theirs = await onReload();
    if (!theirs) return;
    setDoc(theirs.document);
    setStatus(theirs.status);
    setVersion(theirs.version);
    setConflict(false);
  }

  const md = postmortemApi.markdownUrl(incidentId);
  return (
    <Form onSubmit={save} testId="postmortem-form" className="pm-form">
      <div className="pm-toolbar" data-testid="pm-toolbar">
        <Badge tone={STATUS_TONE[pm.status]} testId="pm-status">
          {POSTMORTEM_STATUS_LABEL[pm.status]}
        </Badge>
        <span className="muted pm-meta" data-testid="pm-version">
          version {pm.version} · saved <Time value={pm.updatedAt} relative /> by {actorText(pm.updatedBy)}
        </span>
        <span className="spacer" />
        {canWrite ? (
          <div className="pm-status-select">
            <Select
              name="status"
              label="Status"
              value={status}
              onChange={(v) => setStatus(v as PostmortemStatus)}
              options={POSTMORTEM_STATUSES.map((s) => ({ value: s, label: POSTMORTEM_STATUS_LABEL[s] }))}
              testId="pm-status-select"
            />
          </div>
        ) : null}
        <a className="btn" href={md} download data-testid="pm-download">
          Download Markdown
        </a>
        {canWrite ? <SaveButton dirty={dirty} /> : null}
      </div>
      {conflict ? (
        <Alert tone="warning" title="Someone else saved this postmortem while you were editing" testId="pm-conflict">
          <p>Take their version (your edits are lost), or keep yours and save over theirs.</p>
          <div className="row">
            <Button size="sm" onClick={takeTheirs}>
              Take their version
            </Button>
            <Button size="sm" onClick={keepMine}>
              Keep mine
            </Button>
          </div>
        </Alert>
      ) : null}
      {saved && !dirty ? (
        <Alert tone="success" testId="pm-saved">
          Saved as version {pm.version}.
        </Alert>
      ) : null}
      <fieldset className="fieldset-plain pm-fields" disabled={!canWrite}>
        <TextArea
          name="document.summary"
          label="Summary"
          rows={rowsFor(doc.summary, 4)}
          value={doc.summary}
          onChange={set('summary')}
          testId="pm-summary"
        />
        <TextArea
          name="document.impact"
          label="Impact"
          rows={rowsFor(doc.impact, 5)}
          value={doc.impact}
          onChange={set('impact')}
          testId="pm-impact"
        />
        <PostmortemTimelineEditor items={doc.timeline} onChange={set('timeline')} />
        <TextArea
          name="document.rootCause"
          label="Root cause"
          rows={rowsFor(doc.rootCause, 4)}
          value={doc.rootCause}
          onChange={set('rootCause')}
          placeholder="The underlying reason, not the trigger."
          testId="pm-root-cause"
        />
        <StringListEditor
          name="document.contributingFactors"
          label="Contributing factors"
          items={doc.contributingFactors}
          onChange={set('contributingFactors')}
          placeholder="What made it worse or more likely"
          addLabel="Add a factor"
        />
        <FiveWhysEditor items={doc.fiveWhys} onChange={set('fiveWhys')} />
        <div className="pm-two">
          <StringListEditor
            name="document.wentWell"
            label="What went well"
            items={doc.wentWell}
            onChange={set('wentWell')}
            placeholder="Alert fired within a minute"
            addLabel="Add"
          />
          <StringListEditor
            name="document.wentBadly"
            label="What went badly"
            items={doc.wentBadly}
            onChange={set('wentBadly')}
            placeholder="The runbook was out of date"
            addLabel="Add"
          />
        </div>
        <TextArea
          name="document.lessons"
          label="Lessons"
          rows={rowsFor(doc.lessons, 3)}
          value={doc.lessons}
          onChange={set('lessons')}
        />
        <CustomSectionsEditor items={doc.sections} onChange={set('sections')} />
      </fieldset>
    </Form>
  );
}

/** The incident's postmortem: start it from the template, edit its sections, save with its version. */
export function PostmortemPanel({ incidentId, canWrite }: { incidentId: string; canWrite: boolean }) {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<unknown>(null);

  const fetchIt = useCallback(
    async (signal?: AbortSignal): Promise<Postmortem | null> => {
      try {
        const pm = await postmortemApi.get(incidentId, signal);
        setLoad({ state: 'ok', pm });
        return pm;
      } catch (err) {
        if (signal?.aborted) return null;
        if (err instanceof ApiError && err.status === 404) setLoad({ state: 'none' });
        else setLoad({ state: 'error', error: err });
        return null;
      }
    },
    [incidentId],
  );

  useEffect(() => {
    const controller = new AbortController();
    void fetchIt(controller.signal);
    return () => controller.abort();
  }, [fetchIt]);

  if (load.state === 'loading') return <p className="muted">Loading…</p>;
  if (load.state === 'error') return <ErrorState error={load.error} onRetry={() => void fetchIt()} />;
  if (load.state === 'none') {
    return (
      <Card>
        <EmptyState
          title="No postmortem yet"
          icon="✎"
          testId="pm-empty"
          action={
            canWrite ? (
              <Button
                variant="primary"
                busy={creating}
                testId="pm-create"
                onClick={async () => {
                  setCreating(true);
                  setCreateError(null);
                  try {
                    setLoad({ state: 'ok', pm: await postmortemApi.create(incidentId) });
                  } catch (err) {
                    setCreateError(err);
                  } finally {
                    setCreating(false);
                  }
                }}
              >
                Create from template
              </Button>
            ) : null
          }
        >
          The template is pre-filled from the incident: its summary, impact and timeline. Then write down the root
          cause, the five whys, what went well and badly, and the action items that prevent the next one.
        </EmptyState>
        {createError ? <ErrorAlert error={createError} onDismiss={() => setCreateError(null)} /> : null}
      </Card>
    );
  }
  return (
    <Card className="pm-card">
      <Editor
        incidentId={incidentId}
        pm={load.pm}
        canWrite={canWrite}
        onSaved={(pm) => setLoad({ state: 'ok', pm })}
        onReload={() => fetchIt()}
      />
    </Card>
  );
}
