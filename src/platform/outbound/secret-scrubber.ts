/**
 * Remembers the secret values revealed for one outbound attempt and removes them from whatever text
 * comes back (an error, the peer's answer): a proxy's "Cannot POST /services/T0/B0/xyz" or an API
 * that quotes the token it refused would otherwise put the credential into receipts and logs, which
 * people who may not read Secrets can see.
 */

export const REDACTED = '[redacted]';
/** Shorter values would scrub ordinary words out of an error; no real credential is this short. */
const MIN_REDACTED_LENGTH = 4;
/** `/hook` is no secret; `/services/T0/B0/xyz…` is. */
const MIN_URL_PATH_LENGTH = 12;

export class SecretScrubber {
  private readonly values = new Set<string>();

  /** Scrub this value, its URL-encoded form and, for a URL, its path (a webhook URL's credential). */
  hide(value: string): void {
    this.values.add(value);
    this.values.add(encodeURIComponent(value));
    if (/^https?:\/\//i.test(value) && URL.canParse(value)) {
      const { pathname, search } = new URL(value);
      if (pathname.length + search.length >= MIN_URL_PATH_LENGTH) this.values.add(pathname + search);
    }
  }

  isEmpty(): boolean {
    return this.values.size === 0;
  }

  scrub(text: string): string {
    let out = text;
    // Longest first: a whole URL goes as one, before its path alone would leave the host beside a marker.
    const longestFirst = [...this.values].sort((a, b) => b.length - a.length);
    for (const s of longestFirst) if (s.length >= MIN_REDACTED_LENGTH) out = out.split(s).join(REDACTED);
    return out;
  }
}
