import { api } from '../../api/client';

/** Contact methods, notification rules and channel tests (src/notify/notify.routes.ts). */

export interface ContactMethod {
  id: string;
  userId: string;
  name: string;
  channel: string;
  channelType: string | null;
  address: string | null;
  createdAt: string;
}

export type RuleUrgency = 'high' | 'low' | 'any';

export interface NotificationRule {
  id: string;
  urgency: RuleUrgency;
  delayMinutes: number;
  contactMethodId: string;
  contactMethod: string;
}

export interface RuleInput {
  urgency: RuleUrgency;
  delayMinutes: number;
  contactMethod: string;
}

/** The channel's answer to a test message. */
export interface TestResult {
  ok: boolean;
  statusCode?: number;
  latencyMs: number;
  error?: string;
  response?: string;
}

export type ChannelType = 'webhook' | 'slack' | 'teams' | 'email' | 'ntfy' | 'telegram' | 'sms' | 'voice';

/** The fields of a Channel spec the UI shows (src/notify/channel.model.ts). */
export interface ChannelSpec {
  type: ChannelType;
  team?: string;
  description?: string;
  url?: string;
  urlSecret?: string;
  baseUrl?: string;
  smarthost?: string;
  from?: string;
  to?: string | string[];
  topic?: string;
  chatId?: string;
}

/** What a contact method's address is for each channel type; null: the channel has no per-person address. */
export const ADDRESS_KIND: Record<ChannelType, { label: string; placeholder: string } | null> = {
  webhook: null,
  slack: null,
  teams: null,
  email: { label: 'Email address', placeholder: 'you@example.com' },
  ntfy: { label: 'ntfy topic', placeholder: 'alice-pages' },
  telegram: { label: 'Telegram chat id', placeholder: '123456789' },
  sms: { label: 'Phone number', placeholder: '+14155550100' },
  voice: { label: 'Phone number', placeholder: '+14155550100' },
};

const enc = encodeURIComponent;
const me = '/api/v1/users/me';

export const notifyApi = {
  contacts: (signal?: AbortSignal) => api.get<ContactMethod[]>(`${me}/contact-methods`, undefined, signal),
  addContact: (body: { name: string; channel: string; address?: string | undefined }) =>
    api.post<ContactMethod>(`${me}/contact-methods`, body),
  removeContact: (name: string) => api.delete(`${me}/contact-methods/${enc(name)}`),
  testContact: (name: string) => api.post<TestResult>(`${me}/contact-methods/${enc(name)}/test`),
  rules: (signal?: AbortSignal) => api.get<NotificationRule[]>(`${me}/notification-rules`, undefined, signal),
  setRules: (rules: RuleInput[]) => api.put<NotificationRule[]>(`${me}/notification-rules`, { rules }),
  testChannel: (name: string, address?: string) =>
    api.post<TestResult>(`/api/v1/channels/${enc(name)}/test`, address ? { address } : {}),
};
