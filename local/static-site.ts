// The demo page's files and its config (the origin server adds the security headers).
import { readdir, readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface StaticSiteOptions {
  readonly webDir: string;
  /** Served as `/config.json` for the page. */
  readonly config: unknown;
}

export type StaticSite = (path: string, res: ServerResponse) => Promise<boolean>;

/** Returns a responder for GET paths; false when the path is not a file of the site. */
export async function createStaticSite(options: StaticSiteOptions): Promise<StaticSite> {
  // Only files present at start are served: no path from a request ever reaches the file system.
  const files = new Set(
    (await readdir(options.webDir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name),
  );

  return async (path, res) => {
    if (path === '/config.json') {
      send(res, JSON.stringify(options.config), CONTENT_TYPES['.json'], PAGE_HEADERS);
      return true;
    }
    const name = path === '/' ? 'index.html' : path.slice(1);
    const file = files.has(name) ? join(options.webDir, name) : undefined;
    if (!file) return false;
    send(res, await readFile(file), CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', PAGE_HEADERS);
    return true;
  };
}

function send(
  res: ServerResponse,
  body: string | Buffer,
  contentType: string,
  headers: Record<string, string>,
) {
  res.writeHead(200, { ...headers, 'Content-Type': contentType }).end(body);
}

/** The security headers come from the origin server (one definition with CloudFront's); the page revalidates. */
const PAGE_HEADERS: Record<string, string> = { 'Cache-Control': 'no-cache' };
