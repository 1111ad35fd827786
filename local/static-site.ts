// The demo page's files, its config and the oauth4webapi browser build, with a strict CSP.
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
  /** Origins the page may call besides its own (the token endpoint). */
  readonly connectSources: readonly string[];
}

export type StaticSite = (path: string, res: ServerResponse) => Promise<boolean>;

/** Returns a responder for GET paths; false when the path is not a file of the site. */
export async function createStaticSite(options: StaticSiteOptions): Promise<StaticSite> {
  // Only files present at start are served: no path from a request ever reaches the file system.
  const files = new Set(
    (await readdir(options.webDir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name),
  );
  const vendor: Readonly<Record<string, string>> = {
    '/vendor/oauth4webapi.js': require.resolve('oauth4webapi'),
  };
  const headers = pageHeaders(options.connectSources);

  return async (path, res) => {
    if (path === '/config.json') {
      send(res, JSON.stringify(options.config), CONTENT_TYPES['.json'], headers);
      return true;
    }
    const name = path === '/' || path === '/web/' ? 'index.html' : path.replace(/^\/(web\/)?/, '');
    const file = vendor[path] ?? (files.has(name) ? join(options.webDir, name) : undefined);
    if (!file) return false;
    send(res, await readFile(file), CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', headers);
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

function pageHeaders(connectSources: readonly string[]): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self' ${connectSources.join(' ')}`,
    "form-action 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // The redirect back from the login page carries the authorization code in the URL.
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
}
