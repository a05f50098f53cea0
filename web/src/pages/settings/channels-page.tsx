import { useState } from 'react';
import { useCurrentUser } from '../../auth/session';
import { roleAtLeast } from '../../features/accounts/roles';
import {
  Badge,
  Button,
  type Column,
  DataTable,
  Dialog,
  EmptyState,
  type FetchPage,
  Form,
  Page,
  TextField,
} from '../../ui';
import { type ResourceDoc, resourcesApi } from '../oncall/resources-api';
import { ADDRESS_KIND, type ChannelSpec, notifyApi, type TestResult } from './notify-api';
import { TestResultView } from './test-result';
import '../incidents/incidents.css';
import './notify.css';

type ChannelDoc = ResourceDoc<ChannelSpec>;

/** Where the channel sends, without credentials: the URL's host, the SMTP host, the topic, the default recipient. */
function target(spec: ChannelSpec): string {
  const host = (u: string | undefined) => {
    if (!u) return undefined;
    try {
      return new URL(u).host;
    } catch {
      return u;
    }
  };
  if (spec.urlSecret) return `URL in secret ${spec.urlSecret}`;
  const parts = [host(spec.url), host(spec.baseUrl), spec.smarthost, spec.topic, spec.chatId];
  const to = Array.isArray(spec.to) ? spec.to.join(', ') : spec.to;
  if (to) parts.push(`to ${to}`);
  return parts.filter(Boolean).join(' · ') || '—';
}

function TestDialog({ channel, onClose }: { channel: ChannelDoc; onClose(): void }) {
  const [address, setAddress] = useState('');
  const [result, setResult] = useState<TestResult | null>(null);
  const kind = ADDRESS_KIND[channel.spec.type];
  return (
    <Dialog open title={`Test ${channel.metadata.name}`} onClose={onClose} testId="channel-test-dialog">
      <Form
        onSubmit={async () => {
          setResult(null);
          setResult(await notifyApi.testChannel(channel.metadata.name, address.trim() || undefined));
        }}
        submitLabel="Send test"
        onCancel={onClose}
        cancelLabel="Close"
      >
        <p className="muted form-note">
          Sends a test notification through the channel now and shows what it answered. Nobody is paged.
        </p>
        {kind ? (
          <TextField
            name="address"
            label={kind.label}
            optional
            value={address}
            onChange={setAddress}
            placeholder={kind.placeholder}
            hint="Leave empty to use the channel's default recipient, if it has one."
          />
        ) : null}
        {result ? <TestResultView result={result} /> : null}
      </Form>
    </Dialog>
  );
}

const fetchChannels: FetchPage<ChannelDoc> = (q, signal) =>
  resourcesApi.list<ChannelSpec>('Channel', { limit: q.limit, offset: q.offset, q: q.q }, signal);

/** Notification channels (configuration as code), each with a test send. */
export function ChannelsPage() {
  const { user } = useCurrentUser();
  const canTest = roleAtLeast(user.role, 'editor');
  const [testing, setTesting] = useState<ChannelDoc | null>(null);
  const columns: Column<ChannelDoc>[] = [
    {
      key: 'name',
      header: 'Channel',
      render: (c) => (
        <>
          <span className="cell-primary" data-testid="channel-name">
            {c.metadata.name}
          </span>
          {c.spec.description ? <span className="cell-secondary">{c.spec.description}</span> : null}
        </>
      ),
    },
    { key: 'type', header: 'Type', render: (c) => <Badge tone="info">{c.spec.type}</Badge> },
    { key: 'target', header: 'Sends to', render: (c) => <span className="channel-target">{target(c.spec)}</span> },
    { key: 'team', header: 'Team', render: (c) => c.spec.team ?? <span className="muted">global</span> },
    ...(canTest
      ? [
          {
            key: 'actions',
            header: <span className="visually-hidden">Actions</span>,
            align: 'right' as const,
            render: (c: ChannelDoc) => (
              <Button
                size="sm"
                onClick={() => setTesting(c)}
                testId="test-channel"
                aria-label={`Send a test through ${c.metadata.name}`}
              >
                Send test
              </Button>
            ),
          },
        ]
      : []),
  ];
  return (
    <Page
      title="Channels"
      description="The ways Mainstay notifies people: webhooks, Slack, Teams, email, ntfy, Telegram, SMS and voice. Channels are configuration as code (kind Channel); credentials live in secrets."
      testId="channels-page"
    >
      <DataTable
        label="Channels"
        columns={columns}
        fetchPage={fetchChannels}
        rowKey={(c) => c.metadata.name}
        search={{ label: 'Search', placeholder: 'Channel name' }}
        urlState
        empty={
          <EmptyState title="No channels yet" icon="◌">
            Apply a <code>Channel</code> document with <code>mainstay apply</code>, for example a webhook with{' '}
            <code>type: webhook</code> and <code>url</code>. People then add contact methods that use it.
          </EmptyState>
        }
        testId="channels-table"
      />
      {testing ? <TestDialog channel={testing} onClose={() => setTesting(null)} /> : null}
    </Page>
  );
}
