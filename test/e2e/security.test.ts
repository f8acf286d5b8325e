/**
 * Security end to end (design §9, issue 9), against the real broker: the todo API with a bearer
 * scheme required on every operation (scope `todo`) and its reads owned by identity, generated
 * and served by the gateway, with the stand-in service answering commands and passing the
 * caller's identity header on to the snapshots and events it writes (as the generated service
 * does). Forged tokens get 401, a missing scope 403; two users never see each other's tasks
 * through list, item, history or stream, in plain HTTP and through the generated client; the
 * command records carry the identity header and no credentials.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientOptions } from '../../runtime/client/index.ts';
import type { Gateway } from '../../runtime/index.ts';
import type { KafkaClient } from '../../runtime/kafka/types.ts';
import type { TodoClient } from '../golden/client/todo/client/index.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { readTopic } from '../kafka/read-topic.ts';
import { SseClient } from '../../runtime/gateway/streams/test-sse-client.ts';
import {
  generateGateway,
  secureTodoSpecs,
  startGenerated,
  startTodoResponder,
  testKafka,
} from './support.ts';

const issuer = 'https://login.specgate.test/';
const audience = 'todo-api';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

let kafka: KafkaClient;
let responder: Awaited<ReturnType<typeof startTodoResponder>>;
let gateway: { gateway: Gateway; url: string };
let createClient: (options: ClientOptions) => TodoClient;

interface TokenOptions {
  readonly sub?: string;
  readonly scope?: string;
  readonly key?: KeyObject;
  readonly iss?: string;
  readonly aud?: string;
  /** Seconds from now. */
  readonly exp?: number;
  readonly nbf?: number;
}

async function token(options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ scope: options.scope ?? 'todo' })
    .setProtectedHeader({ alg: 'RS256' })
    .setSubject(options.sub ?? 'alice')
    .setIssuer(options.iss ?? issuer)
    .setAudience(options.aud ?? audience)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.exp ?? 300));
  if (options.nbf !== undefined) jwt.setNotBefore(now + options.nbf);
  return jwt.sign(options.key ?? keys.privateKey);
}

beforeAll(async () => {
  const brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  responder = await startTodoResponder(kafka);
  const specs = await secureTodoSpecs();
  const out = await generateGateway('secure-todo', specs.openapi, specs.asyncapi);
  gateway = await startGenerated(out, {
    brokers,
    auth: { keys: { pem: publicPem }, issuer, audience },
    streams: { retryMs: 200 },
  });
  const module: unknown = await import(pathToFileURL(join(out, 'client/index.ts')).href);
  createClient = (module as { createClient: typeof createClient }).createClient;
}, 120_000);

afterAll(async () => {
  await gateway?.gateway.close();
  await responder?.stop();
  await kafka?.close();
});

async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}

async function createTask(user: string, title: string): Promise<string> {
  const id = `${user}-${randomUUID()}`;
  const response = await call('POST', '/tasks', {
    token: await token({ sub: user }),
    body: { title },
    headers: { 'idempotency-key': id },
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return id;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('bearer tokens', () => {
  it('refuses forged, expired, early and foreign tokens with 401 and a challenge', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'mallory', scope: 'todo', iss: issuer, aud: audience, exp: now + 300 };
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    // HS256 keyed with the RS public key's text: the classic algorithm confusion.
    const confused = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(publicPem));
    const forged: Record<string, string> = {
      'signed with another key': await token({ key: otherKey }),
      'alg none': `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`,
      'HS256 with the public key': confused,
      expired: await token({ exp: -120 }),
      'not yet valid': await token({ nbf: 120 }),
      'wrong issuer': await token({ iss: 'https://evil.test/' }),
      'wrong audience': await token({ aud: 'another-api' }),
      garbage: 'not.a.jwt',
    };
    for (const [why, bad] of Object.entries(forged)) {
      const response = await call('POST', '/tasks', { token: bad, body: { title: why } });
      expect(response.status, why).toBe(401);
      expect(response.headers.get('content-type'), why).toContain('application/problem+json');
      expect(response.headers.get('www-authenticate'), why).toMatch(
        /^Bearer realm="Todo", error="invalid_token", error_description="[^"]+"$/,
      );
    }
    const none = await call('GET', '/tasks');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="Todo"');
    const basic = await call('GET', '/tasks', { headers: { authorization: 'Basic YTpi' } });
    expect(basic.status).toBe(401);
  });

  it('refuses a valid token without the scope with 403, and lets the scope in', async () => {
    const response = await call('POST', '/tasks', {
      token: await token({ scope: 'profile email' }),
      body: { title: 'no scope' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="Todo", error="insufficient_scope", scope="todo"',
    );
    expect(await response.json()).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    const allowed = await call('POST', '/tasks', {
      token: await token({ scope: 'profile todo' }),
      body: { title: 'scoped' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(allowed.status, await allowed.clone().text()).toBe(201);
  });

  it('checks the token before the request: a bad body without a token is 401, not 400', async () => {
    const response = await call('POST', '/tasks', { body: { nope: true } });
    expect(response.status).toBe(401);
  });
});

describe('identity into Kafka', () => {
  it('writes the caller into the identity header of the command record, and no credentials', async () => {
    const id = `rec-${randomUUID()}`;
    const bearer = await token({ sub: 'carol' });
    const response = await call('POST', '/tasks', {
      token: bearer,
      body: { title: 'traced' },
      headers: {
        'idempotency-key': id,
        // A client cannot speak for someone else, nor smuggle credentials into Kafka.
        'specgate-identity': 'mallory',
        cookie: 'session=secret',
      },
    });
    expect(response.status).toBe(201);
    const records = (await readTopic('task-commands')).filter(
      (record) => record.key?.toString() === id,
    );
    expect(records).toHaveLength(1);
    const headers = records[0]?.headers ?? {};
    expect(headers['specgate-identity']).toBe('carol');
    const names = Object.keys(headers).map((name) => name.toLowerCase());
    expect(names).not.toContain('authorization');
    expect(names).not.toContain('cookie');
    expect(JSON.stringify(headers)).not.toContain(bearer);
  });
});

describe('per-user data', () => {
  it('shows each user only their own tasks: list, item, history and stream', async () => {
    // Users of this run alone, so a broker kept across runs (KAFKA_BROKERS) changes nothing.
    const run = randomUUID().slice(0, 8);
    const [aliceId, bobId] = [`alice-${run}`, `bob-${run}`];
    const alice = await token({ sub: aliceId });
    const bob = await token({ sub: bobId });
    const aliceTask = await createTask(aliceId, 'alice only');
    const bobTask = await createTask(bobId, 'bob only');

    const ids = async (bearer: string): Promise<string[]> => {
      const response = await call('GET', '/tasks', { token: bearer });
      expect(response.status).toBe(200);
      return ((await response.json()) as { id: string }[]).map((task) => task.id);
    };
    // Read-your-writes is by progress token; here the view catches up within a moment.
    await expect.poll(() => ids(alice)).toContain(aliceTask);
    await expect.poll(() => ids(bob)).toContain(bobTask);
    const aliceSees = await ids(alice);
    const bobSees = await ids(bob);
    expect(aliceSees).not.toContain(bobTask);
    expect(bobSees).not.toContain(aliceTask);
    expect(aliceSees.every((id) => id.startsWith(aliceId))).toBe(true);

    expect((await call('GET', `/tasks/${aliceTask}`, { token: alice })).status).toBe(200);
    const foreign = await call('GET', `/tasks/${aliceTask}`, { token: bob });
    expect(foreign.status).toBe(404);

    const history = async (bearer: string): Promise<unknown[]> => {
      const response = await call('GET', `/tasks/${aliceTask}/history`, { token: bearer });
      expect(response.status).toBe(200);
      return (await response.json()) as unknown[];
    };
    await expect.poll(async () => (await history(alice)).length).toBeGreaterThan(0);
    expect(await history(alice)).toEqual([expect.objectContaining({ identity: aliceId })]);
    expect(await history(bob)).toEqual([]);

    // EventSource cannot set headers: the token rides in the query (stream routes only).
    const stream = await SseClient.connect(`${gateway.url}/tasks?access_token=${bob}`);
    expect(stream.response.status).toBe(200);
    const streamed: string[] = [];
    while (!streamed.includes(bobTask)) {
      const message = await stream.next();
      if (message.type === 'event') streamed.push((JSON.parse(message.data) as { id: string }).id);
    }
    stream.close();
    expect(streamed).not.toContain(aliceTask);
    expect(streamed.every((id) => id.startsWith(bobId))).toBe(true);
    // The query token is for streams only.
    expect((await call('GET', `/tasks?access_token=${bob}`)).status).toBe(401);
  });

  it('through the generated client, with a token provider', async () => {
    const as = (sub: string): TodoClient =>
      createClient({
        baseUrl: gateway.url,
        token: () => token({ sub }),
        retry: { baseDelayMs: 20 },
      });
    const run = randomUUID().slice(0, 8);
    const dave = as(`dave-${run}`);
    const erin = as(`erin-${run}`);
    const id = `dave-${randomUUID()}`;
    const created = await dave.createTask({ body: { title: 'dave only' } }, { idempotencyKey: id });
    if (!created.ok) throw new Error(`createTask: ${created.status}`);
    const progress = created.progress;

    const mine = await dave.listTasks({ progress });
    expect(mine.ok && mine.data.map((task) => task.id)).toEqual([id]);
    const theirs = await erin.listTasks({ progress });
    expect(theirs.ok && theirs.data.some((task) => task.id === id)).toBe(false);
    expect(await erin.getTask({ params: { id } }, { progress })).toMatchObject({
      ok: false,
      status: 404,
    });
    const history = await erin.getTaskHistory({ params: { id } });
    expect(history.ok && history.data).toEqual([]);

    // Erin's stream shows her own task, never Dave's.
    const hers = `erin-${randomUUID()}`;
    const made = await erin.createTask({ body: { title: 'erin only' } }, { idempotencyKey: hers });
    const controller = new AbortController();
    const seen: string[] = [];
    const after = made.ok ? made.progress : undefined;
    for await (const event of erin.streamListTasks({
      progress: after,
      signal: controller.signal,
    })) {
      if (event.event === 'delete') continue;
      seen.push(event.data.id);
      if (event.data.id === hers) break;
    }
    controller.abort();
    expect(seen).toContain(hers);
    expect(seen).not.toContain(id);
  });
});

describe('streams and token expiry', () => {
  it('ends a stream when its token expires; the client reconnects with a fresh token', async () => {
    const frank = `frank-${randomUUID().slice(0, 8)}`;
    const task = await createTask(frank, 'expiring');
    // Expires in 2 s: the clock tolerance lets it in; the stream ends at `exp` itself.
    const stream = await SseClient.connect(
      `${gateway.url}/tasks?access_token=${await token({ sub: frank, exp: 2 })}`,
    );
    expect(stream.response.status).toBe(200);
    expect(await stream.ended(10_000)).toBe(true);
    expect(stream.text).toContain(task);

    let issued = 0;
    const client = createClient({
      baseUrl: gateway.url,
      token: async () => {
        issued++;
        return token({ sub: frank, exp: 2 });
      },
    });
    const controller = new AbortController();
    let later: string | undefined;
    for await (const event of client.streamListTasks({ signal: controller.signal })) {
      if (event.event === 'delete') continue;
      // Once the first connection's token has run out, a new task must still arrive.
      if (event.data.id === task && later === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 3000));
        later = await createTask(frank, 'after the expiry');
      }
      if (event.data.id === later) break;
    }
    controller.abort();
    expect(issued).toBeGreaterThanOrEqual(2);
  }, 30_000);
});
