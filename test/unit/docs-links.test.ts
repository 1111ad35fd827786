// README and docs/: every relative link points at a file that exists, and every #anchor at a heading in it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const DOCS = join(ROOT, 'docs');
const PAGES = [
  join(ROOT, 'README.md'),
  ...readdirSync(DOCS)
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(DOCS, f)),
];

/** GitHub's heading anchor: lowercase, punctuation dropped (hyphens, underscores kept), spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The page's text outside fenced code blocks (links and headings there are not rendered). */
function prose(file: string): string {
  return readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
}

function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, text] of prose(file).matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const base = slug(text.replace(/`/g, ''));
    const count = seen.get(base) ?? 0;
    result.add(count ? `${base}-${count}` : base);
    seen.set(base, count + 1);
  }
  return result;
}

function links(file: string): string[] {
  const text = prose(file).replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
}

const cases = PAGES.flatMap((page) =>
  links(page)
    .filter((target) => !/^[a-z]+:/i.test(target))
    .map((target) => [relative(ROOT, page), target] as const),
);

describe('README and docs links', () => {
  it('finds the pages and their links (the check is live)', () => {
    expect(PAGES.length).toBeGreaterThan(5);
    expect(cases.length).toBeGreaterThan(20);
  });

  it.each(cases)('%s → %s resolves', (page, target) => {
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const file = path ? resolve(dirname(join(ROOT, page)), decodeURIComponent(path)) : join(ROOT, page);
    expect(existsSync(file)).toBe(true);
    if (anchor !== undefined && file.endsWith('.md')) expect([...anchors(file)]).toContain(anchor);
  });

  it('slugs headings as GitHub does', () => {
    expect(slug('Sessions: sign in, refresh, sign out')).toBe('sessions-sign-in-refresh-sign-out');
    expect(slug("Configuration (-c stage='{…}')")).toBe('configuration--c-stage');
    expect(slug('Attack → what stops it → test that proves it')).toBe(
      'attack--what-stops-it--test-that-proves-it',
    );
  });
});
