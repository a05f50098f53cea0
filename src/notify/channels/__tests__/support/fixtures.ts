import { NotFoundError } from '../../../../platform/errors.js';
import { type ChannelSpec, ChannelSpecSchema } from '../../../channel.model.js';
import type { ChannelMessage, SendContext } from '../../message.js';

export const UA = 'Mainstay/0.1 (test)';
/** 2026-03-01T10:00:00Z: the clock every send context reads. */
export const NOW = Date.UTC(2026, 2, 1, 10, 0, 0);

export const LINKS = {
  view: 'https://mainstay.example/incidents/inc_01',
  acknowledge: 'https://mainstay.example/a/ack.tok3n',
  resolve: 'https://mainstay.example/a/res.tok3n',
};

/** A triggered high-urgency page of incident #42; `incident` fields merge over the default. */
export function page(
  over: Partial<Omit<ChannelMessage, 'incident'>> & {
    incident?: Partial<NonNullable<ChannelMessage['incident']>>;
  } = {},
): ChannelMessage {
  const { incident, ...rest } = over;
  return {
    id: 'dlv_01HZX',
    event: 'incident.triggered',
    at: '2026-03-01T09:59:30.000Z',
    title: '[SEV2] #42 Database down',
    text: 'primary db-1 is not accepting connections\n3 alerts',
    incident: {
      id: 'inc_01',
      number: 42,
      title: 'Database down',
      severity: 'SEV2',
      urgency: 'high',
      status: 'triggered',
      service: 'payments',
      url: LINKS.view,
      labels: { team: 'db' },
      alerts: 3,
      ...incident,
    },
    links: { ...LINKS },
    recipient: { user: 'usr_1', name: 'Ada Lovelace' },
    ...rest,
  };
}

/** A send context over an in-memory secret store; a missing name rejects like the real one. */
export function context(secrets: Record<string, string> = {}, over: Partial<SendContext> = {}): SendContext {
  return {
    reveal: async (name) => {
      const value = secrets[name];
      if (value === undefined) throw new NotFoundError(`no secret named ${name}`);
      return value;
    },
    userAgent: UA,
    smtpFrom: 'Mainstay <pager@mainstay.example>',
    now: () => NOW,
    ...over,
  };
}

/** Parses through the schema, so tests see the defaults a stored channel has. */
export function channel<T extends ChannelSpec['type']>(
  spec: { type: T } & Record<string, unknown>,
): Extract<ChannelSpec, { type: T }> {
  return ChannelSpecSchema.parse(spec) as Extract<ChannelSpec, { type: T }>;
}
