/**
 * Serves the todo page from the gateway's own origin (so the page needs no CORS): `GET /`,
 * `GET /app.js` (app.ts and the generated client, bundled by esbuild in memory when the demo
 * starts) and `GET /style.css`.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { browserBundle } from '../../../scripts/bundle/browser-bundle.ts';

export interface WebApp {
  readonly html: string;
  readonly css: string;
  readonly js: Uint8Array;
}

const here = (name: string): URL => new URL(name, import.meta.url);

export async function bundleWebApp(): Promise<WebApp> {
  const [html, css, js] = await Promise.all([
    readFile(here('index.html'), 'utf8'),
    readFile(here('style.css'), 'utf8'),
    browserBundle(here('app.ts').pathname),
  ]);
  return { html, css, js };
}

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
