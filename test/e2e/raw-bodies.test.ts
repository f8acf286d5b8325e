/**
 * Request bodies that are not JSON, end to end (design §4, issue 11): the generated client of
 * test/e2e/fixtures/raw-bodies sends text, bytes and a form to the generated gateway, which
 * writes each body to Kafka byte for byte with its content-type; read back from the topics. A
 * media type the operation does not declare is 415, a body over the limit 413, and a JSON body
 * of an operation that also takes XML is still parsed and validated.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientOptions, CommandOptions, RawBody } from '../../runtime/client/index.ts';
import type { Gateway } from '../../runtime/index.ts';
import type { KafkaClient } from '../../runtime/kafka/types.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { readTopic, type TopicRecord } from '../kafka/read-topic.ts';
import { generateGateway, startGenerated, testKafka } from './support.ts';

type Result = { ok: true; status: number } | { ok: false; status: number; error: unknown };

/** What this test calls of the generated client (client/index.ts of the fixture). */
interface RawBodiesClient {
  putNote(
    request: { body: string; params: { id: string } },
    options?: CommandOptions,
  ): Promise<Result>;
  putBlob(
    request: { body: RawBody; params: { id: string } },
    options?: CommandOptions,
  ): Promise<Result>;
  submitForm(request: { body: string }, options?: CommandOptions): Promise<Result>;
  postDocument(request: { body: { title: string } }, options?: CommandOptions): Promise<Result>;
}

const topics = {
  notes: 'raw-bodies-notes',
  blobs: 'raw-bodies-blobs',
  forms: 'raw-bodies-forms',
  documents: 'raw-bodies-documents',
} as const;
const bodyLimit = 4096;

let kafka: KafkaClient;
let gateway: { gateway: Gateway; url: string };
let client: RawBodiesClient;

beforeAll(async () => {
  const brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  await kafka.admin.ensureTopics(Object.values(topics).map((topic) => ({ topic })));
  const out = await generateGateway(
    'raw-bodies',
    'test/e2e/fixtures/raw-bodies/openapi.yaml',
    'test/e2e/fixtures/raw-bodies/asyncapi.yaml',
  );
  gateway = await startGenerated(out, { brokers, http: { bodyLimit } });
  const module: unknown = await import(pathToFileURL(join(out, 'client/index.ts')).href);
  const { createClient } = module as { createClient: (options: ClientOptions) => RawBodiesClient };
  client = createClient({ baseUrl: gateway.url });
}, 120_000);

afterAll(async () => {
  await gateway?.gateway.close();
  await kafka?.close();
});

/** The records of `topic` whose key is `key`. */
async function recordsOf(topic: string, key: string): Promise<TopicRecord[]> {
  return (await readTopic(topic)).filter((record) => record.key?.toString('utf8') === key);
}

/** The one record of `topic` keyed `key`: its value bytes and content-type. */
async function onlyRecord(
  topic: string,
  key: string,
): Promise<{ value: Buffer | null; contentType: unknown }> {
  const records = await recordsOf(topic, key);
  expect(records).toHaveLength(1);
  const [record] = records;
  return { value: record?.value ?? null, contentType: record?.headers['content-type'] };
}

async function problemOf(response: Response): Promise<{ status: number; type: string | null }> {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await response.json()) as { status: number };
  return { status: problem.status, type: response.headers.get('content-type') };
}

describe('a request body that is not JSON', () => {
  it('text/plain reaches Kafka as the bytes sent, with its content-type', async () => {
    const id = `note-${randomUUID()}`;
    const text = 'Grüße, {not JSON} "quoted"\n\tand a tab';
    expect(await client.putNote({ params: { id }, body: text })).toMatchObject({
      ok: true,
      status: 202,
    });
    const record = await onlyRecord(topics.notes, id);
    expect(record.value?.equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(record.contentType).toBe('text/plain');
  });

  it('keeps a charset: Latin-1 bytes stay Latin-1, and the header says so', async () => {
    const id = `latin1-${randomUUID()}`;
    const bytes = Buffer.from('Grüße', 'latin1'); // ü = 0xfc: not UTF-8
    const response = await fetch(`${gateway.url}/notes/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain; charset=ISO-8859-1' },
      body: bytes,
    });
    expect(response.status).toBe(202);
    const record = await onlyRecord(topics.notes, id);
    expect(record.value?.equals(bytes)).toBe(true);
    expect(record.contentType).toBe('text/plain; charset=ISO-8859-1');
  });

  it('application/octet-stream: bytes that are not UTF-8 arrive unchanged', async () => {
    const id = `blob-${randomUUID()}`;
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x0a]);
    expect(await client.putBlob({ params: { id }, body: bytes })).toMatchObject({
      ok: true,
      status: 202,
    });
    const record = await onlyRecord(topics.blobs, id);
    expect(record.value?.equals(Buffer.from(bytes))).toBe(true);
    expect(record.contentType).toBe('application/octet-stream');
  });

  it('an empty body is an empty, non-null value', async () => {
    const id = `empty-${randomUUID()}`;
    expect(await client.putBlob({ params: { id }, body: new Uint8Array(0) })).toMatchObject({
      ok: true,
    });
    const record = await onlyRecord(topics.blobs, id);
    expect(record.value?.length).toBe(0);
  });

  it('a form is written as encoded, not parsed', async () => {
    const key = `form-${randomUUID()}`;
    const form = 'name=J%C3%BCrgen+M&tags=a&tags=b&empty=';
    expect(await client.submitForm({ body: form }, { idempotencyKey: key })).toMatchObject({
      ok: true,
      status: 202,
    });
    const record = await onlyRecord(topics.forms, key);
    expect(record.value?.toString('latin1')).toBe(form);
    expect(record.contentType).toBe('application/x-www-form-urlencoded');
  });

  it('an operation with JSON and XML: XML as bytes, JSON parsed and validated', async () => {
    const xmlKey = `xml-${randomUUID()}`;
    const xml = '<?xml version="1.0"?><document><title>x</title></document>';
    const sent = await fetch(`${gateway.url}/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml', 'idempotency-key': xmlKey },
      body: xml,
    });
    expect(sent.status).toBe(202);
    const xmlRecord = await onlyRecord(topics.documents, xmlKey);
    expect(xmlRecord.value?.toString('utf8')).toBe(xml);
    expect(xmlRecord.contentType).toBe('application/xml');

    const jsonKey = `json-${randomUUID()}`;
    expect(
      await client.postDocument({ body: { title: 't' } }, { idempotencyKey: jsonKey }),
    ).toMatchObject({ ok: true, status: 202 });
    const jsonRecord = await onlyRecord(topics.documents, jsonKey);
    expect(JSON.parse(jsonRecord.value?.toString('utf8') ?? '')).toEqual({ title: 't' });
    expect(jsonRecord.contentType).toBe('application/json');

    const invalid = await fetch(`${gateway.url}/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'no title' }),
    });
    expect(invalid.status).toBe(400);
  });

  it('a retry with the same Idempotency-Key writes once; other bytes under it are 422', async () => {
    const id = `retry-${randomUUID()}`;
    const key = randomUUID();
    const bytes = new Uint8Array([1, 2, 3, 0xff]);
    for (let i = 0; i < 2; i++) {
      expect(
        await client.putBlob({ params: { id }, body: bytes }, { idempotencyKey: key }),
      ).toMatchObject({ ok: true, status: 202 });
    }
    const other = await client.putBlob(
      { params: { id }, body: new Uint8Array([1, 2, 3, 0xfe]) },
      { idempotencyKey: key },
    );
    expect(other).toMatchObject({ ok: false, status: 422 });
    expect(await recordsOf(topics.blobs, id)).toHaveLength(1);
  });
});

describe('what the gateway refuses', () => {
  it.each([
    ['a media type no operation declares', '/notes/x', 'PUT', 'text/csv'],
    ['a media type another operation declares', '/notes/x', 'PUT', 'application/xml'],
    ['JSON where only text is declared', '/notes/x', 'PUT', 'application/json'],
    ['text where only a form is declared', '/forms', 'POST', 'text/plain'],
  ])('%s: 415 problem+json, nothing written', async (_what, path, method, type) => {
    const id = `refused-${randomUUID()}`;
    const response = await fetch(`${gateway.url}${path.replace('x', id)}`, {
      method,
      headers: { 'content-type': type, 'idempotency-key': id },
      body: type === 'application/json' ? '"text"' : 'a,b',
    });
    expect(response.status).toBe(415);
    expect(await problemOf(response)).toMatchObject({ status: 415 });
    const topic = path.startsWith('/forms') ? topics.forms : topics.notes;
    expect(await recordsOf(topic, id)).toHaveLength(0);
  });

  it('a body over the limit: 413 problem+json, nothing written', async () => {
    const id = `large-${randomUUID()}`;
    const result = await client.putBlob({ params: { id }, body: new Uint8Array(bodyLimit + 1) });
    expect(result).toMatchObject({ ok: false, status: 413 });
    const response = await fetch(`${gateway.url}/notes/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(bodyLimit + 1),
    });
    expect(response.status).toBe(413);
    expect(await problemOf(response)).toMatchObject({ status: 413 });
    // At the limit it passes.
    const fits = await client.putBlob({ params: { id }, body: new Uint8Array(bodyLimit) });
    expect(fits).toMatchObject({ ok: true, status: 202 });
    const record = await onlyRecord(topics.blobs, id);
    expect(record.value?.length).toBe(bodyLimit);
  });
});
