// The documentation screenshots come from the browser suite: each committed one is taken by a browser test, and each
// one the docs show exists.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, 'docs', 'screenshots');
const BROWSER_TESTS = join(ROOT, 'test', 'browser');

const committed = readdirSync(SHOTS).filter((name) => name.endsWith('.png'));
const taken = new Set(
  readdirSync(BROWSER_TESTS)
    .filter((name) => name.endsWith('.test.ts'))
    .flatMap((name) => [
      ...readFileSync(join(BROWSER_TESTS, name), 'utf8').matchAll(/screenshot\('([\w.-]+\.png)'/g),
    ])
    .map((match) => match[1]),
);

describe('docs/screenshots', () => {
  it.each(committed)('rejects %s unless a browser test takes it (npm run screenshots)', (name) => {
    expect(taken).toContain(name);
  });

  it('has every screenshot the docs show', () => {
    const docs = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
    const shown = docs.flatMap((name) =>
      [...readFileSync(join(ROOT, 'docs', name), 'utf8').matchAll(/\(screenshots\/([\w.-]+\.png)\)/g)].map(
        (m) => m[1],
      ),
    );
    expect(shown.length).toBeGreaterThan(0);
    for (const name of shown) expect(committed).toContain(name);
  });
});
