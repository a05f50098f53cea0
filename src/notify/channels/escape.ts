/** Escaping and clipping shared by the channel renderers. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML and XML text and (double-quoted) attribute values alike: email bodies, Telegram HTML, TwiML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** `s` cut to `max` characters, with an ellipsis when cut. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** One line: header fields and SMS bodies must not carry a line break where it matters. */
export function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
