/** The sections of PRODUCT.md, in the order the navigation shows them. */
export interface Section {
  path: string;
  label: string;
  group: 'main' | 'operate' | 'observe' | 'assets' | 'report' | 'settings';
  /** What the section is for; shown on its page while it is not built yet. */
  description: string;
  /** PRODUCT.md milestone that delivers it; undefined once built. */
  milestone?: number;
  adminOnly?: boolean;
  /** Pages of the section, shown indented under it in the navigation. */
  children?: readonly { path: string; label: string }[];
}

export const GROUP_LABELS: Record<Section['group'], string | undefined> = {
  main: undefined,
  operate: 'Operate',
  observe: 'Observe',
  assets: 'Assets',
  report: 'Report',
  settings: 'Settings',
};

export const SECTIONS: readonly Section[] = [
  {
    path: '/',
    label: 'Overview',
    group: 'main',
    description:
      'What needs attention now: firing alerts, open incidents, who is on call, failing checks and overdue maintenance, on one page.',
    milestone: 1,
  },
  {
    path: '/checks',
    label: 'Checks',
    group: 'operate',
    description:
      'Synthetic checks (HTTP, TCP, DNS, TLS, ICMP, heartbeat, SQL, SSH) with their schedules, latest results and uptime rollups.',
  },
  {
    path: '/alerts',
    label: 'Alerts',
    group: 'operate',
    description:
      'Alerts from checks, metrics, logs and external tools (PagerDuty Events API, Alertmanager, Opsgenie), with routing, grouping, silences, inhibition and maintenance windows.',
    children: [
      { path: '/alerts/silences', label: 'Silences' },
      { path: '/alerts/maintenance', label: 'Maintenance windows' },
      { path: '/alerts/routing', label: 'Routing' },
    ],
  },
  {
    path: '/incidents',
    label: 'Incidents',
    group: 'operate',
    description: 'Incidents with their lifecycle and timeline, responder roles, postmortems and action items.',
    children: [{ path: '/incidents/action-items', label: 'Action items' }],
  },
  {
    path: '/oncall',
    label: 'On-call',
    group: 'operate',
    description:
      'Schedules and rotations in a named time zone, overrides, escalation policies, who is on call right now, and iCalendar feeds.',
    children: [{ path: '/oncall/policies', label: 'Escalation policies' }],
  },
  {
    path: '/metrics',
    label: 'Metrics',
    group: 'observe',
    description:
      'Prometheus scrape and remote_write ingest, an embedded time-series store with PromQL queries, and alerting rule files.',
    milestone: 2,
  },
  {
    path: '/logs',
    label: 'Logs',
    group: 'observe',
    description: 'Log intake (syslog, HTTP, Loki push), search, and log-based alerts.',
    milestone: 4,
  },
  {
    path: '/automation',
    label: 'Automation',
    group: 'operate',
    description:
      'Runbooks and scheduled jobs with steps, calendars, conditions, retries, SLAs, approvals, SSH targets and alert-triggered remediation.',
    milestone: 2,
  },
  {
    path: '/inventory',
    label: 'Inventory',
    group: 'assets',
    description:
      'Locations, assets, services and the relations between them (depends_on, runs_on, …), with impact analysis.',
    milestone: 3,
  },
  {
    path: '/maintenance',
    label: 'Maintenance',
    group: 'assets',
    description:
      'Preventive maintenance plans (time and meter based), work orders, checklists, labor, spare parts stock, purchase orders and change requests.',
    milestone: 3,
  },
  {
    path: '/reports',
    label: 'Reports',
    group: 'report',
    description:
      'SLOs and error budgets, availability, MTTA, MTTR and MTBF, maintenance compliance, cost against budget, and exports.',
    milestone: 3,
  },
  {
    path: '/status-pages',
    label: 'Status pages',
    group: 'report',
    description: 'Public status pages with incident updates and feeds.',
    milestone: 3,
  },
  {
    path: '/settings/profile',
    label: 'Your profile',
    group: 'settings',
    description: 'Your name, time zone and password.',
  },
  {
    path: '/settings/notifications',
    label: 'Notifications',
    group: 'settings',
    description: 'Your contact methods and the rules that say how you are paged.',
  },
  {
    path: '/settings/users',
    label: 'Users',
    group: 'settings',
    description: 'People who can sign in, and their roles.',
  },
  { path: '/settings/teams', label: 'Teams', group: 'settings', description: 'Teams and the roles of their members.' },
  {
    path: '/settings/tokens',
    label: 'API tokens',
    group: 'settings',
    description: 'Tokens for the CLI, scripts and integrations.',
  },
  {
    path: '/settings/channels',
    label: 'Channels',
    group: 'settings',
    description: 'Webhooks, chat, email, push and phone channels that notifications go through.',
  },
  {
    path: '/settings/secrets',
    label: 'Secrets',
    group: 'settings',
    description: 'Passwords, tokens and keys that checks refer to by name.',
  },
  {
    path: '/settings/audit',
    label: 'Audit log',
    group: 'settings',
    description: 'Every change, who made it and how.',
    adminOnly: true,
  },
];

/** The sections not built yet: each gets an honest empty page. */
export const PLANNED_SECTIONS = SECTIONS.filter((s) => s.milestone !== undefined);
