// A person-readable device name ("Chrome on Linux") from a User-Agent string, through bowser (a maintained parser).
import Bowser from 'bowser';

/** "Chrome on Linux", "Safari on iOS", "Chrome", "Linux"; undefined when the parser recognises neither part. */
export function deviceName(userAgent: string | undefined): string | undefined {
  if (!userAgent) return undefined;
  const parsed = Bowser.parse(userAgent);
  // bowser falls back to the UA's first product token; "Mozilla" is the legacy one every browser sends: not a name.
  const browser = parsed.browser.name && parsed.browser.name !== 'Mozilla' ? parsed.browser.name : undefined;
  const os = parsed.os.name || undefined;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os;
}
