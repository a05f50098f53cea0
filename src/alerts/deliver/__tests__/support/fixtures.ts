import { FIRING_ENDS_AT, type GroupNotification, type NotifiedAlert } from '../../notification.js';

let seq = 0;

/** A firing alert; `labels` are merged over `alertname=DiskFull`. */
export function alert(over: Partial<NotifiedAlert> = {}): NotifiedAlert {
  seq += 1;
  const labels = { alertname: 'DiskFull', instance: `db-${seq}`, ...over.labels };
  return {
    id: `alr_${seq}`,
    fingerprint: `fp${String(seq).padStart(14, '0')}`,
    status: 'firing',
    annotations: { summary: `disk ${seq} is full` },
    startsAt: '2026-03-01T10:00:00.000Z',
    endsAt: FIRING_ENDS_AT,
    generatorURL: 'https://prometheus.example/graph?g0.expr=disk',
    summary: `disk ${seq} is full`,
    severity: 'critical',
    url: `https://mainstay.example/alerts/alr_${seq}`,
    ...over,
    labels,
  };
}

/** A group notification over `alerts`, grouped by alertname. */
export function notification(alerts: NotifiedAlert[], over: Partial<GroupNotification> = {}): GroupNotification {
  return {
    id: 'ntf_01HZX',
    receiver: 'team-db',
    groupKey: '{}:{alertname="DiskFull"}',
    groupLabels: { alertname: 'DiskFull' },
    commonLabels: { alertname: 'DiskFull' },
    commonAnnotations: {},
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    externalURL: 'https://mainstay.example',
    truncatedAlerts: 0,
    ...over,
  };
}
