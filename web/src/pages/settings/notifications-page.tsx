import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Button, Card, ConfirmDialog, ErrorAlert, ErrorState, Form, Page, Select, TextField } from '../../ui';
import { usePolled } from '../alerts/use-polled';
import { resourcesApi } from '../oncall/resources-api';
import { NotificationRules } from './notification-rules';
import { ADDRESS_KIND, type ChannelSpec, type ContactMethod, notifyApi, type TestResult } from './notify-api';
import { TestResultView } from './test-result';
import '../incidents/incidents.css';
import './notify.css';

interface ChannelChoice {
  name: string;
  type: ChannelSpec['type'];
}

function AddContactForm({ channels, onAdded }: { channels: ChannelChoice[]; onAdded(): void }) {
  const [name, setName] = useState('');
  const [channel, setChannel] = useState('');
  const [address, setAddress] = useState('');
  const type = channels.find((c) => c.name === channel)?.type;
  const kind = type ? ADDRESS_KIND[type] : undefined;
  return (
    <Form
      onSubmit={async () => {
        await notifyApi.addContact({ name: name.trim(), channel, address: kind ? address.trim() : undefined });
        setName('');
        setAddress('');
        onAdded();
      }}
      submitLabel="Add contact method"
      submitDisabled={!channel}
      testId="add-contact-form"
      className="contact-form"
    >
      <div className="contact-form-grid">
        <TextField
          name="name"
          label="Name"
          value={name}
          onChange={setName}
          placeholder="work-phone"
          testId="contact-name"
        />
        <Select
          name="channel"
          label="Channel"
          value={channel}
          onChange={setChannel}
          options={[
            { value: '', label: channels.length ? 'Pick a channel…' : 'No channels defined' },
            ...channels.map((c) => ({ value: c.name, label: `${c.name} (${c.type})` })),
          ]}
          testId="contact-channel"
        />
        {kind ? (
          <TextField
            name="address"
            label={kind.label}
            value={address}
            onChange={setAddress}
            placeholder={kind.placeholder}
            testId="contact-address"
          />
        ) : (
          <p className="field-hint contact-no-address">
            {type
              ? `A ${type} channel has one address for everyone; nothing to enter.`
              : 'Pick the channel that carries it.'}
          </p>
        )}
      </div>
    </Form>
  );
}

function ContactRow({ contact, onRemove }: { contact: ContactMethod; onRemove(): void }) {
  const [result, setResult] = useState<TestResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <tr data-testid="contact-row">
      <td>
        <span className="cell-primary">{contact.name}</span>
      </td>
      <td>
        {contact.channel}
        <span className="cell-secondary">{contact.channelType ?? 'channel missing'}</span>
      </td>
      <td className="mono">{contact.address ?? <span className="muted">channel's own</span>}</td>
      <td className="contact-test-cell">
        {result ? <TestResultView result={result} /> : null}
        {error ? <ErrorAlert error={error} onDismiss={() => setError(null)} /> : null}
      </td>
      <td className="table-align-right">
        <div className="cell-actions">
          <Button
            size="sm"
            busy={busy}
            testId="test-contact"
            onClick={async () => {
              setBusy(true);
              setError(null);
              setResult(null);
              try {
                setResult(await notifyApi.testContact(contact.name));
              } catch (err) {
                setError(err);
              } finally {
                setBusy(false);
              }
            }}
          >
            Send test
          </Button>
          <Button size="sm" variant="ghost" onClick={onRemove} aria-label={`Remove ${contact.name}`}>
            Remove
          </Button>
        </div>
      </td>
    </tr>
  );
}

/** Your contact methods (with a test send) and the rules that say which are used when you are paged. */
export function NotificationsPage() {
  const contacts = usePolled(notifyApi.contacts, 60_000);
  const [channels, setChannels] = useState<ChannelChoice[]>([]);
  const [channelsError, setChannelsError] = useState<unknown>(null);
  const [removing, setRemoving] = useState<ContactMethod | null>(null);
  const [rulesKey, setRulesKey] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    resourcesApi.list<ChannelSpec>('Channel', { limit: 200, offset: 0 }, controller.signal).then(
      (page) => setChannels(page.items.map((d) => ({ name: d.metadata.name, type: d.spec.type }))),
      (err: unknown) => {
        if (!controller.signal.aborted) setChannelsError(err);
      },
    );
    return () => controller.abort();
  }, []);
  const changed = () => {
    contacts.reload();
    setRulesKey((n) => n + 1);
  };

  return (
    <Page
      title="Notifications"
      description="How Mainstay reaches you when you are paged: your contact methods, and the rules that say which one is used how long after a page."
      testId="notifications-page"
    >
      <Card title="Contact methods">
        {contacts.error && !contacts.data ? <ErrorState error={contacts.error} onRetry={contacts.reload} /> : null}
        {contacts.data && !contacts.data.length ? (
          <p className="muted card-note" data-testid="contacts-empty">
            You have no contact methods: when you are paged, nobody can reach you. Add one below.
          </p>
        ) : null}
        {contacts.data?.length ? (
          <div className="table-scroll">
            <table className="table" aria-label="Contact methods" data-testid="contacts-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Address</th>
                  <th scope="col">Last test</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {contacts.data.map((c) => (
                  <ContactRow key={c.id} contact={c} onRemove={() => setRemoving(c)} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <h3 className="subheading contact-add-heading">Add a contact method</h3>
        {channelsError ? <ErrorAlert error={channelsError} /> : null}
        <AddContactForm channels={channels} onAdded={changed} />
        <p className="field-hint card-note">
          Channels are set up by editors under <Link to="/settings/channels">Channels</Link>.
        </p>
      </Card>
      <NotificationRules contacts={contacts.data ?? []} reloadKey={rulesKey} />
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.name ?? 'this contact method'}?`}
        confirmLabel="Remove"
        danger
        onConfirm={async () => {
          if (removing) await notifyApi.removeContact(removing.name);
          changed();
        }}
        onClose={() => setRemoving(null)}
      >
        <p>The notification rules that use it are removed with it.</p>
      </ConfirmDialog>
    </Page>
  );
}
