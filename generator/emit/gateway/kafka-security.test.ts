import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config.ts';
import type { Api, KafkaServer } from '../../ir/types.ts';
import type { GeneratedFile } from '../generated-file.ts';
import { serviceCheckFiles } from '../service/check-files.ts';
import { emitService } from '../service/emit-service.ts';
import { checkTypeScript, emitTypes } from '../types/index.ts';
import { emptyKafkaApi, formatWithPrettier } from '../types/testing.ts';
import { gatewayCheckFiles } from './check-files.ts';
import { emitGateway } from './emit-gateway.ts';
import { kafkaSecurityLiteral, kafkaSecurityOf } from './kafka-security.ts';
import { exampleApi, nowhere } from './testing.ts';

function server(
  id: string,
  protocol: string,
  types: readonly string[] = [],
  line = 1,
): KafkaServer {
  return {
    id,
    host: 'broker:9093',
    protocol,
    isKafka: protocol.startsWith('kafka'),
    security: types.map((type) => ({ name: `${type}Scheme`, type })),
    source: { ...nowhere, line },
  };
}

function withServers(servers: readonly KafkaServer[]) {
  return { ...emptyKafkaApi(), servers };
}

describe('kafkaSecurityOf', () => {
  it.each([
    { name: 'no server', given: [], want: undefined },
    { name: 'plain kafka', given: [server('local', 'kafka')], want: undefined },
    {
      name: 'kafka-secure',
      given: [server('prod', 'kafka-secure')],
      want: { tls: true, mechanisms: [] },
    },
    {
      name: 'kafka-secure with SCRAM, in declaration order',
      given: [server('prod', 'kafka-secure', ['scramSha512', 'scramSha256'])],
      want: { tls: true, mechanisms: ['scram-sha-512', 'scram-sha-256'] },
    },
    // SASL over plaintext: declared as such, TLS can still be switched on with KAFKA_SSL.
    {
      name: 'kafka with PLAIN',
      given: [server('dev', 'kafka', ['plain'])],
      want: { tls: false, mechanisms: ['plain'] },
    },
    // userPassword is PLAIN; a mechanism named twice is listed once.
    {
      name: 'userPassword and plain',
      given: [server('dev', 'kafka', ['userPassword', 'plain'])],
      want: { tls: false, mechanisms: ['plain'] },
    },
    // A client certificate means TLS; schemes specgate cannot connect with are left out.
    {
      name: 'X509',
      given: [server('mtls', 'kafka', ['X509'])],
      want: { tls: true, mechanisms: [] },
    },
    {
      name: 'oauth2 and gssapi',
      given: [server('oauth', 'kafka', ['oauth2', 'gssapi'])],
      want: undefined,
    },
    // The first Kafka server in the document decides (the IR has them by id); others are
    // skipped.
    {
      name: 'several servers',
      given: [
        server('a-local', 'kafka', [], 30),
        server('b-mqtt', 'mqtt', ['scramSha256'], 10),
        server('c-prod', 'kafka-secure', ['scramSha256'], 20),
      ],
      want: { tls: true, mechanisms: ['scram-sha-256'] },
    },
  ])('$name', ({ given, want }) => {
    expect(kafkaSecurityOf(withServers(given))).toEqual(want);
  });

  it('prints the declaration as a TypeScript literal', () => {
    const api = withServers([server('prod', 'kafka-secure', ['scramSha256', 'plain'])]);
    expect(kafkaSecurityLiteral(api)).toBe("{ tls: true, mechanisms: ['scram-sha-256', 'plain'] }");
    expect(kafkaSecurityLiteral(withServers([server('local', 'kafka')]))).toBeUndefined();
  });
});

describe('generated entries', () => {
  async function securedTodo(): Promise<Api> {
    const api = await exampleApi('todo');
    const servers = [server('production', 'kafka-secure', ['scramSha512'])];
    return { ...api, kafka: { ...api.kafka, servers } };
  }

  function file(files: readonly GeneratedFile[], path: string): string {
    const found = files.find((f) => f.path === path);
    if (found === undefined) throw new Error(`${path} was not emitted`);
    return found.content;
  }

  async function expectClean(files: readonly GeneratedFile[], extra: GeneratedFile[]) {
    expect(checkTypeScript(files, { extraFiles: extra })).toEqual([]);
    for (const f of files) expect(f.content, f.path).toBe(await formatWithPrettier(f.content));
  }

  it("start the gateway with the server's declared security", async () => {
    const api = await securedTodo();
    const files = [
      ...emitTypes(api, { root: '/project' }),
      ...emitGateway(api, { root: '/project', runtime: defaultConfig.runtime }),
    ];
    expect(file(files, 'gateway/server.ts')).toContain(
      "  kafka: { tls: true, mechanisms: ['scram-sha-512'] },\n",
    );
    await expectClean(files, gatewayCheckFiles());
  });

  it("start the service with the server's declared security, options over it", async () => {
    const api = await securedTodo();
    const files = [
      ...emitTypes(api, { root: '/project' }),
      ...emitService(api, { root: '/project' }),
    ];
    expect(file(files, 'service/handlers.ts')).toContain(
      [
        '  return startTypedService(taskCommandsSpec, {',
        "    kafka: { tls: true, mechanisms: ['scram-sha-512'] },",
        '    ...options,',
        '  });',
      ].join('\n'),
    );
    await expectClean(files, serviceCheckFiles());
  });

  it('leave both untouched when the server declares nothing', async () => {
    const api = await exampleApi('todo');
    const files = [
      ...emitGateway(api, { root: '/project', runtime: defaultConfig.runtime }),
      ...emitService(api, { root: '/project' }),
    ];
    expect(file(files, 'gateway/server.ts')).not.toContain('kafka:');
    expect(file(files, 'service/handlers.ts')).toContain(
      '  return startTypedService(taskCommandsSpec, options);',
    );
  });
});
