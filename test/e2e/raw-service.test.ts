/**
 * Commands that are not JSON reach the generated service's handlers as the bytes sent (design §8,
 * issue 11), end to end on the broker: HTTP → the generated gateway → Kafka → the generated
 * service (test/e2e/fixtures/raw-service, fixtures/raw-bodies' commands made request-reply) →
 * its reply → HTTP. Each handler answers the length and SHA-256 of the body it got and the
 * record's content-type, so the HTTP answer proves the bytes crossed both hops intact; the test
 * also keeps what the handlers were handed. A JSON command of an operation that also takes XML
 * gets its JSON parsed, and its XML refused with a 400 that says why.
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../runtime/index.ts';
import type { KafkaClient } from '../../runtime/kafka/types.ts';
import type { Command, Service, ServiceLogEntry, TypedReply } from '../../runtime/service/index.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { generateGateway, startGenerated, testKafka } from './support.ts';

/** The reply payload (`Receipt` in the fixture). */
interface Receipt {
  readonly command: string;
  readonly length?: number;
  readonly sha256?: string;
  readonly contentType?: string;
  readonly title?: string;
}

type Handler<Body> = (command: Command<Body>) => TypedReply<Receipt>;

interface StartOptions<Handlers> {
  readonly handlers: Handlers;
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly transactionalId: string;
  readonly log: (entry: ServiceLogEntry) => void;
}

/** What this test calls of the generated service/handlers.ts. */
interface GeneratedService {
  startNotesService(options: StartOptions<{ Note: Handler<Buffer> }>): Service;
  startBlobsService(options: StartOptions<{ Blob: Handler<Buffer> }>): Service;
  startDocumentsService(options: StartOptions<{ Document: Handler<{ title: string }> }>): Service;
}

const topics = {
  notes: 'raw-service-notes',
  blobs: 'raw-service-blobs',
  documents: 'raw-service-documents',
  replies: 'raw-service-replies',
} as const;

let kafka: KafkaClient;
let gateway: { gateway: Gateway; url: string };
const services: Service[] = [];
/** Every body a handler was handed, by the record key (the path's id). */
const received = new Map<string, unknown>();
const logs: ServiceLogEntry[] = [];

function receipt(command: Command<Buffer>): TypedReply<Receipt> {
  received.set(command.key, command.body);
  return {
    body: {
      command: command.name,
      length: command.body.length,
      sha256: sha256(command.body),
      contentType: command.headers['content-type'] ?? '',
    },
  };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

beforeAll(async () => {
  const brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  await kafka.admin.ensureTopics(Object.values(topics).map((topic) => ({ topic })));
  const out = await generateGateway(
    'raw-service',
    'test/e2e/fixtures/raw-service/openapi.yaml',
    'test/e2e/fixtures/raw-service/asyncapi.yaml',
  );
  const module: unknown = await import(pathToFileURL(join(out, 'service/handlers.ts')).href);
  const generated = module as GeneratedService;
  const run = randomUUID().slice(0, 8);
  const group = (name: string) => ({
    brokers,
    groupId: `raw-service-${name}-${run}`,
    transactionalId: `raw-service-${name}-${run}`,
    log: (entry: ServiceLogEntry) => logs.push(entry),
  });
  services.push(
    generated.startNotesService({ ...group('notes'), handlers: { Note: receipt } }),
    generated.startBlobsService({ ...group('blobs'), handlers: { Blob: receipt } }),
    generated.startDocumentsService({
      ...group('documents'),
      handlers: {
        Document: (command) => {
          received.set(command.key, command.body);
          return { body: { command: command.name, title: command.body.title } };
        },
      },
    }),
  );
  gateway = await startGenerated(out, { brokers });
  await Promise.all(services.map((service) => service.ready));
}, 120_000);

afterAll(async () => {
  await gateway?.gateway.close();
  await Promise.all(services.map((service) => service.close()));
  await kafka?.close();
});

/** PUTs `body` as `contentType` to `/<path>/<id>` and reads the JSON answer. */
async function put(
  path: string,
  id: string,
  contentType: string,
  body: BodyInit,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${gateway.url}/${path}/${id}`, {
    method: 'PUT',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: response.status, body: await response.json() };
}

describe('a command that is not JSON reaches its handler as the bytes sent', () => {
  it.each([
    ['UTF-8 text', 'text/plain', Buffer.from('Grüße, {not JSON} "quoted"\n\tand a tab', 'utf8')],
    ['text that looks like JSON', 'text/plain', Buffer.from('{"title":"still text"}')],
    ['Latin-1 text', 'text/plain; charset=ISO-8859-1', Buffer.from('Grüße', 'latin1')],
  ])(
    '%s: a Buffer of those bytes, with the content-type and its charset',
    async (_what, type, bytes) => {
      const id = `note-${randomUUID()}`;
      const answer = await put('notes', id, type, bytes);
      expect(answer).toEqual({
        status: 200,
        body: { command: 'Note', length: bytes.length, sha256: sha256(bytes), contentType: type },
      });
      const body = received.get(id);
      expect(Buffer.isBuffer(body)).toBe(true);
      expect((body as Buffer).equals(bytes)).toBe(true);
    },
  );

  it('octet-stream bytes that are not UTF-8 arrive unchanged', async () => {
    const id = `blob-${randomUUID()}`;
    // Invalid UTF-8 (a lone continuation byte, an overlong and a surrogate encoding) and a NUL:
    // any decoding on the way would change them.
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x0a]);
    const answer = await put('blobs', id, 'application/octet-stream', bytes);
    expect(answer).toEqual({
      status: 200,
      body: {
        command: 'Blob',
        length: bytes.length,
        sha256: sha256(bytes),
        contentType: 'application/octet-stream',
      },
    });
    expect((received.get(id) as Buffer).equals(bytes)).toBe(true);
  });

  it('every byte value, in a body larger than one read', async () => {
    const id = `blob-${randomUUID()}`;
    const bytes = Buffer.alloc(100_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
    const answer = await put('blobs', id, 'application/octet-stream', bytes);
    expect(answer).toMatchObject({
      status: 200,
      body: { length: bytes.length, sha256: sha256(bytes) },
    });
  });

  it('an empty body is an empty Buffer', async () => {
    const id = `empty-${randomUUID()}`;
    const answer = await put('blobs', id, 'application/octet-stream', new Uint8Array(0));
    expect(answer).toMatchObject({
      status: 200,
      body: { length: 0, sha256: sha256(Buffer.alloc(0)) },
    });
    expect(received.get(id)).toEqual(Buffer.alloc(0));
  });
});

describe('a JSON command whose operation also takes XML', () => {
  it('gets its JSON parsed and checked', async () => {
    const id = `json-${randomUUID()}`;
    const answer = await put('documents', id, 'application/json', JSON.stringify({ title: 't' }));
    expect(answer).toEqual({ status: 200, body: { command: 'Document', title: 't' } });
    expect(received.get(id)).toEqual({ title: 't' });
  });

  it('refuses the XML the gateway wrote as bytes: 400, saying what it was, no handler run', async () => {
    const id = `xml-${randomUUID()}`;
    const xml = '<?xml version="1.0"?><document><title>x</title></document>';
    const answer = await put('documents', id, 'application/xml', xml);
    expect(answer).toMatchObject({
      status: 400,
      body: { status: 400, detail: 'the command value is application/xml, not JSON' },
    });
    expect(received.has(id)).toBe(false);
    expect(logs.map((entry) => [entry.level, entry.message])).toContainEqual([
      'warn',
      'rejected a command: the command value is application/xml, not JSON',
    ]);
  });
});
