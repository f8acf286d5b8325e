// Kafka over SASL_SSL end to end (design.md §9): a broker of this file's own with a SASL_SSL
// listener (TLS from a keytool-made certificate; SCRAM users created at format time), the todo
// gateway generated from an AsyncAPI document whose server is `kafka-secure` with SCRAM schemes,
// and the real todo service, each logging in as its own user. Then what must fail, fails at
// start-up and says why: a wrong password, a client without TLS, a certificate not trusted.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTodoService } from '../../examples/todo/service.ts';
import { createGateway, type Gateway, type KafkaSecuritySpec } from '../../runtime/index.ts';
import type { KafkaEnv } from '../../runtime/kafka/security-spec.ts';
import { createKafkaClient, resolveKafkaSecurity } from '../../runtime/kafka/index.ts';
import { startBroker, type Broker } from '../../scripts/kafka/broker.ts';
import { readTopic } from '../kafka/read-topic.ts';
import { ensureTodoTopics, generateGateway, importGenerated, repoRoot } from './support.ts';

const gatewayUser = { name: 'todo-gateway', password: randomUUID() };
const serviceUser = { name: 'todo-service', password: randomUUID() };
/** What generated code declares for the server below; the service picks SCRAM-SHA-512 of it. */
const declared: KafkaSecuritySpec = { tls: true, mechanisms: ['scram-sha-256', 'scram-sha-512'] };

let broker: Broker | undefined;
let out = '';

beforeAll(async () => {
  [broker, out] = await Promise.all([
    startBroker({ secure: { users: [gatewayUser, serviceUser] } }),
    generateSecureTodo(),
  ]);
}, 120_000);

afterAll(async () => {
  await broker?.stop();
});

/** The todo specs with their server made `kafka-secure` with two SCRAM schemes, generated. */
async function generateSecureTodo(): Promise<string> {
  const dir = join(repoRoot, 'test/.tmp', `secure-kafka-specs-${randomUUID().slice(0, 8)}`);
  await mkdir(dir, { recursive: true });
  const source = await readFile(join(repoRoot, 'specs/todo/asyncapi.yaml'), 'utf8');
  const secured = source
    .replace(
      /^( {4}protocol: )kafka\n/m,
      "$1kafka-secure\n    security:\n      - $ref: '#/components/securitySchemes/scram256'\n" +
        "      - $ref: '#/components/securitySchemes/scram512'\n",
    )
    .replace(
      /^components:\n/m,
      'components:\n  securitySchemes:\n    scram256:\n      type: scramSha256\n' +
        '    scram512:\n      type: scramSha512\n',
    );
  expect(secured).toContain('protocol: kafka-secure');
  await writeFile(join(dir, 'asyncapi.yaml'), secured);
  return generateGateway(
    'secure-kafka-todo',
    'specs/todo/openapi.yaml',
    join(dir, 'asyncapi.yaml'),
  );
}

function started(): Broker & { secure: NonNullable<Broker['secure']> } {
  const secure = broker?.secure;
  if (broker === undefined || secure === undefined) throw new Error('the broker did not start');
  return { ...broker, secure };
}

/** What an operator would put in the environment for `user`. */
function envFor(user: { name: string; password: string }, more: KafkaEnv = {}): KafkaEnv {
  return {
    KAFKA_SSL_CA_FILE: started().secure.caFile,
    KAFKA_SASL_USERNAME: user.name,
    KAFKA_SASL_PASSWORD: user.password,
    ...more,
  };
}

async function startSecureGateway(
  kafka: KafkaSecuritySpec,
  kafkaEnv: KafkaEnv,
): Promise<{ gateway: Gateway; url: string }> {
  const { spec, routes } = await importGenerated(out);
  const gateway = await createGateway({
    spec,
    routes,
    brokers: [started().secure.brokers],
    kafka,
    kafkaEnv,
    idempotencyTopic: 'secure-idempotency',
  });
  return { gateway, url: await gateway.listen() };
}

/** How long `promise` took to reject, and its message; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<{ ms: number; message: string }> {
  const start = Date.now();
  try {
    await promise;
  } catch (error) {
    return { ms: Date.now() - start, message: error instanceof Error ? error.message : '' };
  }
  throw new Error('expected a rejection');
}

describe('Kafka over SASL_SSL', () => {
  it('generates the server declaration the gateway starts with', async () => {
    const server = await readFile(join(out, 'gateway/server.ts'), 'utf8');
    expect(server).toContain(
      "  kafka: { tls: true, mechanisms: ['scram-sha-256', 'scram-sha-512'] },\n",
    );
  });

  it('serves a command and a query through a SCRAM gateway and a SCRAM service', async () => {
    const { secure } = started();
    // The topics, created over the secure listener as its user would.
    const admin = createKafkaClient({
      brokers: [secure.brokers],
      clientId: 'secure-test-admin',
      logLevel: 'nothing',
      ...resolveKafkaSecurity(declared, envFor(gatewayUser)),
    });
    try {
      await ensureTodoTopics(admin);
    } finally {
      await admin.close();
    }

    const service = startTodoService({
      brokers: [secure.brokers],
      kafka: declared,
      kafkaEnv: envFor(serviceUser, { KAFKA_SASL_MECHANISM: 'scram-sha-512' }),
    });
    try {
      // The gateway takes the first declared mechanism, SCRAM-SHA-256.
      const [{ gateway, url }] = await Promise.all([
        startSecureGateway(declared, envFor(gatewayUser)),
        service.ready,
      ]);
      try {
        const id = `secure-${randomUUID()}`;
        const created = await fetch(new URL('/tasks', url), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': id },
          body: JSON.stringify({ title: 'Rotate the keys' }),
        });
        expect(created.status).toBe(201);
        expect(await created.json()).toMatchObject({ id, title: 'Rotate the keys', version: 1 });

        const read = await fetch(new URL(`/tasks/${id}`, url), {
          headers: { 'specgate-progress': created.headers.get('specgate-progress') ?? '' },
        });
        expect(read.status).toBe(200);
        expect(await read.json()).toMatchObject({ id, title: 'Rotate the keys', done: false });

        // What the secure clients wrote is in the broker's topics (read here over PLAINTEXT).
        const plain = { brokers: [started().brokers] };
        const commands = await readTopic('task-commands', plain);
        expect(commands.map((r) => r.key?.toString())).toContain(id);
        const events = await readTopic('task-events', plain);
        expect(events.map((r) => [r.key?.toString(), r.headers['event-type']])).toContainEqual([
          id,
          'TaskCreated',
        ]);
        // The gateway made its idempotency topic itself, over SASL_SSL.
        expect((await readTopic('secure-idempotency', plain)).length).toBeGreaterThan(0);
      } finally {
        await gateway.close();
      }
    } finally {
      await service.close();
    }
  }, 60_000);

  it('fails the gateway start on a wrong password, naming mechanism and user', async () => {
    const env = envFor({ ...gatewayUser, password: 'not-the-password' });
    const { ms, message } = await rejection(startSecureGateway(declared, env));
    expect(message).toMatch(/^Kafka authentication failed: /);
    expect(message).toContain('SASL SCRAM-SHA-256 login of user "todo-gateway"');
    expect(message).not.toContain('not-the-password');
    expect(ms).toBeLessThan(10_000);
  });

  it('fails the service start on a wrong password', async () => {
    const service = startTodoService({
      brokers: [started().secure.brokers],
      kafka: declared,
      kafkaEnv: envFor(
        { ...serviceUser, password: 'not-the-password' },
        { KAFKA_SASL_MECHANISM: 'scram-sha-512' },
      ),
    });
    try {
      const { ms, message } = await rejection(service.ready);
      expect(message).toContain('SASL SCRAM-SHA-512 login of user "todo-service"');
      expect(message).toContain('authentication failed');
      expect(ms).toBeLessThan(10_000);
    } finally {
      await service.close();
    }
  });

  it('fails fast when the client does not speak TLS to the SASL_SSL listener', async () => {
    const { ms, message } = await rejection(
      startSecureGateway(declared, envFor(gatewayUser, { KAFKA_SSL: 'false' })),
    );
    expect(message).toMatch(/accepts connections but closed \d+ in a row before answering/);
    expect(message).toContain('no TLS');
    expect(ms).toBeLessThan(10_000);
  });

  it("fails fast when the broker's certificate is not trusted", async () => {
    const env = { ...envFor(gatewayUser), KAFKA_SSL_CA_FILE: undefined };
    const { ms, message } = await rejection(startSecureGateway(declared, env));
    expect(message).toMatch(/the TLS handshake with .* failed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    expect(ms).toBeLessThan(10_000);
  });
});
