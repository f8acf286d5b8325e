/**
 * The generated `server.ts` of a secured API, run as its own process the way a user runs it,
 * against the real broker: `specgate generate` from a config with `auth` (a public key file) and
 * `http` (CORS, a rate limit), then `node --import tsx generated/gateway/server.ts`. Tokens are
 * checked with the key the config names; a preflight from the allowed origin passes and one from
 * another origin is refused; a caller past the rate limit gets 429 with Retry-After while another
 * caller goes on; the request log never shows a token.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatWithPrettier } from '../../generator/emit/types/testing.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import type { ReadyChild } from '../process/ready-child.ts';
import {
  ensureTodoTopics,
  repoRoot,
  secureTodoSpecs,
  startServerProcess,
  testKafka,
} from './support.ts';

const issuer = 'https://login.specgate.test/';
const audience = 'todo-api';
const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const allowed = 'http://app.specgate.test';
const limit = 25;

let server: ReadyChild;
let serverFile: string;
let url: string;

async function token(sub: string): Promise<string> {
  return new SignJWT({ scope: 'todo' })
    .setProtectedHeader({ alg: 'ES256' })
    .setSubject(sub)
    .setIssuer(issuer)
    .setAudience(audience)
    .setExpirationTime('5m')
    .sign(keys.privateKey);
}

beforeAll(async () => {
  const kafka = testKafka(kafkaBrokers());
  await ensureTodoTopics(kafka);
  await kafka.close();
  const specs = await secureTodoSpecs();
  const dir = dirname(specs.openapi);
  await mkdir(join(dir, 'keys'));
  await writeFile(
    join(dir, 'keys/public.pem'),
    keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  const config = join(dir, 'specgate.yaml');
  await writeFile(
    config,
    [
      'openapi: openapi.yaml',
      `asyncapi: ${JSON.stringify(specs.asyncapi)}`,
      'out: generated',
      'targets: [gateway]',
      `auth: { publicKeyFile: keys/public.pem, issuer: "${issuer}", audience: ${audience} }`,
      `http: { cors: { origins: ["${allowed}"] }, rateLimit: { max: ${limit}, windowMs: 60000 } }`,
    ].join('\n'),
  );
  const generated = spawnSync(
    process.execPath,
    [join(repoRoot, 'bin/specgate.js'), 'generate', '--config', config],
    { encoding: 'utf8' },
  );
  if (generated.status !== 0) throw new Error(generated.stdout + generated.stderr);
  serverFile = join(dir, 'generated/gateway/server.ts');
  const started = await startServerProcess(serverFile);
  server = started.child;
  url = started.url;
}, 120_000);

afterAll(async () => {
  if (server === undefined) return;
  server.process.kill('SIGTERM');
  await server.exited;
});

describe('the generated server of a secured API', () => {
  it('is written as Prettier would, with the key file relative to it', async () => {
    const text = await readFile(serverFile, 'utf8');
    expect(text).toBe(await formatWithPrettier(text));
    expect(text).toContain("publicKeyFile: '../../keys/public.pem'");
    expect(text).toContain("cors: { origins: ['http://app.specgate.test'] }");
  });

  it('checks tokens with the key file the config names', async () => {
    expect((await fetch(`${url}/tasks`)).status).toBe(401);
    const response = await fetch(`${url}/tasks`, {
      headers: { authorization: `Bearer ${await token(`reader-${randomUUID()}`)}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  it('answers a preflight from the allowed origin, and refuses another', async () => {
    const preflight = (origin: string): Promise<Response> =>
      fetch(`${url}/tasks`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type, idempotency-key',
        },
      });
    const ok = await preflight(allowed);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'authorization',
    );
    const refused = await preflight('http://evil.specgate.test');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.ok).toBe(false);

    const read = await fetch(`${url}/tasks`, {
      headers: { origin: allowed, authorization: `Bearer ${await token('cors-reader')}` },
    });
    expect(read.headers.get('access-control-allow-origin')).toBe(allowed);
  });

  it('limits each caller to its rate, 429 with Retry-After beyond, others unaffected', async () => {
    const greedy = await token(`greedy-${randomUUID()}`);
    const statuses: number[] = [];
    for (let i = 0; i <= limit; i++) {
      const response = await fetch(`${url}/tasks`, {
        headers: { authorization: `Bearer ${greedy}` },
      });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
      }
    }
    expect(statuses.slice(0, limit).every((status) => status === 200)).toBe(true);
    expect(statuses[limit]).toBe(429);
    const other = await fetch(`${url}/tasks`, {
      headers: { authorization: `Bearer ${await token(`patient-${randomUUID()}`)}` },
    });
    expect(other.status).toBe(200);
  });

  it('never logs a stream token', async () => {
    const secret = await token('streamer');
    const controller = new AbortController();
    const stream = await fetch(`${url}/tasks?access_token=${secret}`, {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    controller.abort();
    // A 404 on an unknown path with a token in its query: Fastify's own message quotes the URL.
    await fetch(`${url}/nowhere?access_token=${secret}`);
    await expect.poll(() => server.output()).toContain('/nowhere?access_token=[redacted]');
    expect(server.output()).not.toContain(secret);
    expect(server.output()).not.toContain(secret.split('.')[2]);
  });
});
