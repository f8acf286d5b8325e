// The generated todo client, bundled for the browser with its runtime (esbuild), in real
// Chromium on a static page the gateway serves from localhost: it creates a task, sees it arrive
// on the stream, deletes it and sees the delete event. Real gateway, real broker, and the
// stand-in service of test/e2e/support.ts answering the commands.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../runtime/index.ts';
import type { KafkaClient } from '../../runtime/kafka/types.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import {
  ensureTodoTopics,
  generateGateway,
  importGenerated,
  startTodoResponder,
  testKafka,
} from '../e2e/support.ts';
import { browserBundle } from '../../scripts/bundle/browser-bundle.ts';
import { launchChromium, openPage } from './chromium.ts';

/** The page's script: the client, and three steps the test drives. */
const entry = `import { createClient } from './client/index.ts';

const client = createClient({ baseUrl: location.origin });
const seen = [];
let stream;

Object.assign(window, {
  seen,
  watch(prefix) {
    stream = client.streamListTasks();
    void (async () => {
      for await (const event of stream) {
        if (event.event === 'delete') {
          if (event.key.startsWith(prefix)) seen.push('delete ' + event.key);
        } else if (event.data.id.startsWith(prefix)) {
          seen.push(event.data.id + ' ' + event.data.title);
        }
      }
    })();
  },
  async create(id, title) {
    const result = await client.createTask({ body: { title } }, { idempotencyKey: id });
    return result.ok ? result.status : 'failed ' + result.status;
  },
  async remove(id) {
    const result = await client.deleteTask({ params: { id } });
    return result.ok ? result.status : 'failed ' + result.status;
  },
  stop() {
    stream?.close();
  },
});
`;

const page = `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>todo client</title></head>
  <body><script type="module" src="/app.js"></script></body>
</html>
`;

let kafka: KafkaClient;
let responder: Awaited<ReturnType<typeof startTodoResponder>>;
let gateway: Gateway;
let base: string;
let browser: Browser;
let bundle: string;

beforeAll(async () => {
  browser = await launchChromium();
  const brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  await ensureTodoTopics(kafka);
  responder = await startTodoResponder(kafka);
  const out = await generateGateway(
    'browser-client',
    'specs/todo/openapi.yaml',
    'specs/todo/asyncapi.yaml',
  );
  const entryFile = join(out, 'app.ts');
  await writeFile(entryFile, entry);
  bundle = new TextDecoder().decode(await browserBundle(entryFile));
  const { spec, routes } = await importGenerated(out);
  gateway = await createGateway({
    brokers,
    spec,
    routes: (app, runtime) => {
      app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
      app.get('/app.js', (_request, reply) =>
        reply.type('text/javascript; charset=utf-8').send(bundle),
      );
      routes(app, runtime);
    },
  });
  base = await gateway.listen();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await responder?.stop();
  await kafka?.close();
});

describe('the generated todo client in Chromium', () => {
  it('bundles without Node or server code', () => {
    expect(bundle.length).toBeGreaterThan(0);
    expect(bundle).not.toMatch(/kafkajs|fastify|node:/);
  });

  it('creates a task, sees it on the stream, deletes it and sees the delete', async () => {
    const opened = await openPage(browser, `${base}/`);
    try {
      const { page: tab } = opened;
      await tab.waitForFunction(() => 'watch' in window, undefined, { timeout: 8000 });
      const prefix = `browser-${randomUUID().slice(0, 8)}-`;
      const id = `${prefix}task`;
      type Steps = {
        seen: string[];
        watch(prefix: string): void;
        create(id: string, title: string): Promise<number | string>;
        remove(id: string): Promise<number | string>;
        stop(): void;
      };
      await tab.evaluate((p) => (window as unknown as Steps).watch(p), prefix);
      expect(
        await tab.evaluate((i) => (window as unknown as Steps).create(i, 'from Chromium'), id),
      ).toBe(201);
      await tab.waitForFunction(
        (text) => (window as unknown as Steps).seen.includes(text),
        `${id} from Chromium`,
        { timeout: 8000 },
      );
      expect(await tab.evaluate((i) => (window as unknown as Steps).remove(i), id)).toBe(204);
      await tab.waitForFunction(
        (text) => (window as unknown as Steps).seen.includes(text),
        `delete ${id}`,
        { timeout: 8000 },
      );
      expect(await tab.evaluate(() => (window as unknown as Steps).seen)).toEqual([
        `${id} from Chromium`,
        `delete ${id}`,
      ]);
      await tab.evaluate(() => (window as unknown as Steps).stop());
      expect(opened.problems.filter((problem) => problem.startsWith('page error'))).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});
