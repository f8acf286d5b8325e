/**
 * Cross-checks: the same API in AsyncAPI 2.6 and 3.0 gives the same IR (modulo channel ids), and
 * our walk of the raw documents agrees with @asyncapi/parser's own model (traits applied, v2
 * `subscribe` = send) wherever the two can be compared.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import type { KafkaApi } from '../../ir/types.ts';
import { corpus, fixtures, parseFile } from './testing.ts';

/** The IR with channel ids replaced by addresses and sources dropped. */
function comparable(api: KafkaApi | undefined): unknown {
  if (api === undefined) throw new Error('no IR');
  const address = new Map(api.channels.map((c) => [c.id, c.address]));
  const strip = (node: object): Record<string, unknown> =>
    Object.fromEntries(Object.entries(node).filter(([key]) => key !== 'source'));
  return {
    servers: api.servers.map(strip),
    channels: api.channels
      .map(({ parameters, kafka, ...rest }) => ({
        ...strip(rest),
        id: undefined,
        address: rest.address,
        parameters: parameters.map(strip),
        kafka: kafka === undefined ? undefined : strip(kafka),
      }))
      .sort((a, b) => (a.address < b.address ? -1 : 1)),
    messages: api.messages.map(strip),
    operations: api.operations.map((o) => ({ ...strip(o), channel: address.get(o.channel) })),
  };
}

describe('streetlights: AsyncAPI 2.6 and 3.0 give the same IR', () => {
  it('has the same servers, channels, messages and operations modulo channel ids', async () => {
    const v2 = await parseFile(join(corpus, 'asyncapi/spec__streetlights-kafka.yml'));
    const v3 = await parseFile(join(corpus, 'asyncapi/spec__streetlights-kafka-asyncapi.yml'));
    expect(comparable(v3.api)).toEqual(comparable(v2.api));
    expect(v3.schemas).toEqual(
      Object.fromEntries(
        Object.entries(v2.schemas).map(([id, named]) => [
          id,
          { ...named, source: expect.objectContaining({ pointer: named.source.pointer }) },
        ]),
      ),
    );
  });

  it('maps the action directions explicitly', async () => {
    const v2 = await parseFile(join(corpus, 'asyncapi/spec__streetlights-kafka.yml'));
    const v3 = await parseFile(join(corpus, 'asyncapi/spec__streetlights-kafka-asyncapi.yml'));
    const actions = (api: KafkaApi | undefined): string[][] =>
      (api?.operations ?? []).map((o) => [o.id, o.action]);
    const expected = [
      ['dimLight', 'send'],
      // v2 `publish`: the application receives.
      ['receiveLightMeasurement', 'receive'],
      // v2 `subscribe`: the application sends.
      ['turnOff', 'send'],
      ['turnOn', 'send'],
    ];
    expect(actions(v2.api)).toEqual(expected);
    expect(actions(v3.api)).toEqual(expected);
  });
});

describe('agreement with @asyncapi/parser’s model', () => {
  const files = [
    join(corpus, 'asyncapi/spec__streetlights-kafka.yml'),
    join(corpus, 'asyncapi/spec__streetlights-kafka-asyncapi.yml'),
    join(corpus, 'asyncapi/springwolf-core__asyncapi.yaml'),
    join(corpus, 'asyncapi/spec__kraken-websocket-request-reply-multiple-channels-asyncapi.yml'),
    join(corpus, 'asyncapi/spec__slack-rtm-asyncapi.yml'),
    join(corpus, 'asyncapi/spec__gitter-streaming-asyncapi.yml'),
    join(corpus, 'invalid/parser-js__circular-refs.yaml'),
    join(fixtures, 'kafka-v2.yaml'),
    join(fixtures, 'kafka-v3.yaml'),
    join(fixtures, 'multi-file/asyncapi.yaml'),
  ];

  it.each(files)('%s', async (file) => {
    const { api } = await parseFile(file);
    const { document } = await new Parser().parse(readFileSync(file, 'utf8'), { source: file });
    if (document === undefined || api === undefined) throw new Error('both must parse');
    const address = new Map(api.channels.map((c) => [c.id, c.address]));
    const ours = api.operations.map((o) =>
      [
        o.action,
        address.get(o.channel),
        o.messages.length,
        Object.keys(o.kafka ?? {})
          .sort()
          .join('+'),
      ].join(' '),
    );
    const theirs = document
      .operations()
      .all()
      .map((operation) => {
        const kafka = operation.bindings().get('kafka')?.value() ?? {};
        return [
          operation.isSend() ? 'send' : 'receive',
          operation.channels().all()[0]?.address(),
          operation.messages().all().length,
          ['clientId', 'groupId'].filter((key) => Object.hasOwn(kafka, key)).join('+'),
        ].join(' ');
      });
    expect(ours.sort()).toEqual(theirs.sort());
    expect(api.channels.map((c) => c.address).sort()).toEqual(
      document
        .channels()
        .all()
        .map((c) => c.address())
        .sort(),
    );
  });
});
