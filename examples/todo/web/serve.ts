/**
 * Serves the todo page from the gateway's own origin (so the page needs no CORS): `GET /`,
 * `GET /app.js` (app.ts and the generated client, bundled by esbuild in memory when the demo
 * starts) and `GET /style.css`.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { browserBundle } from '../../../scripts/bundle/browser-bundle.ts';

/** The page's three files, read and bundled once. */
export interface WebApp {
  readonly html: string;
  readonly css: string;
  /** app.ts with the generated client and `specgate/client`, minified ESM. */
  readonly js: Uint8Array;
}

const here = (name: string): URL => new URL(name, import.meta.url);

/** Reads index.html and style.css and bundles app.ts (esbuild, in memory). */
export async function bundleWebApp(): Promise<WebApp> {
  const [html, css, js] = await Promise.all([
    readFile(here('index.html'), 'utf8'),
    readFile(here('style.css'), 'utf8'),
    browserBundle(fileURLToPath(here('app.ts'))),
  ]);
  return { html, css, js };
}

/**
 * `GET /`, `GET /app.js`, `GET /style.css` (and their HEADs), revalidated on every load
 * (`no-cache`) so a restarted demo never serves a stale page. Call it inside the gateway's
 * `RegisterRoutes`.
 */
export function registerWebApp(app: FastifyInstance, web: WebApp): void {
  const files = [
    ['/', 'text/html; charset=utf-8', web.html],
    ['/app.js', 'text/javascript; charset=utf-8', Buffer.from(web.js)],
    ['/style.css', 'text/css; charset=utf-8', web.css],
  ] as const;
  for (const [url, type, body] of files) {
    app.get(url, (_request, reply) =>
      reply.type(type).header('cache-control', 'no-cache').send(body),
    );
  }
}
