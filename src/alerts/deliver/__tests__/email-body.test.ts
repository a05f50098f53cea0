import { describe, expect, it } from 'vitest';
import { escapeHtml, renderEmail } from '../email-body.js';
import { alert, notification } from './support/fixtures.js';

describe('renderEmail', () => {
  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('lists firing and resolved alerts in their own sections', () => {
    const n = notification([alert(), alert({ status: 'resolved' }), alert()], { truncatedAlerts: 4 });
    const { subject, text, html } = renderEmail(n);
    expect(subject).toBe('[FIRING:2] DiskFull');
    expect(text).toContain('7 alerts for alertname=DiskFull');
    expect(html).toContain('[2] Firing');
    expect(html).toContain('[1] Resolved');
    expect(text).toContain('and 4 more');
  });

  it('links only http(s) URLs: a javascript: generatorURL stays text', () => {
    const { html } = renderEmail(notification([alert({ generatorURL: 'javascript:alert(1)', url: '' })]));
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('Open in Mainstay');
  });

  it('keeps a subject on one line whatever the labels hold', () => {
    const n = notification([alert()], { groupLabels: { alertname: 'a\r\nBcc: x@evil.example' } });
    expect(renderEmail(n).subject).toBe('[FIRING:1] a Bcc: x@evil.example');
  });
});
