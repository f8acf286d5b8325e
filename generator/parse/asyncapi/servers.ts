/**
 * Server Objects → {@link KafkaServer}: where the brokers are, which protocol they speak and how
 * a client authenticates. v3 writes `host` + `protocol` and refers to security schemes; v2 writes
 * a `url` and names schemes in security requirement objects (`- saslScram: []`).
 */
import type { KafkaSecurity, KafkaServer } from '../../ir/types.ts';
import { isRecord, splitPointer } from '../../load/pointer.ts';
import { byId, child, stringAt, type AsyncApiContext, type Node } from './context.ts';
import { View } from './view.ts';

const kafkaProtocols: ReadonlySet<string> = new Set(['kafka', 'kafka-secure']);

export function parseServers(ctx: AsyncApiContext): KafkaServer[] {
  const servers: KafkaServer[] = [];
  for (const [id, entry] of ctx.entries(child(ctx.root, 'servers'))) {
    const node = ctx.object(entry);
    if (node !== undefined) servers.push(parseServer(ctx, id, node, entry));
  }
  return byId(servers);
}

function parseServer(ctx: AsyncApiContext, id: string, node: Node, entry: Node): KafkaServer {
  const protocol = (stringAt(child(node, 'protocol')) ?? '').toLowerCase();
  const protocolVersion = stringAt(child(node, 'protocolVersion'));
  const schemaRegistryUrl = View.of(ctx, node)
    .view('bindings')
    ?.view('kafka')
    ?.string('schemaRegistryUrl')
    ?.trim();
  return {
    id,
    host:
      ctx.major === 3
        ? (stringAt(child(node, 'host')) ?? '')
        : hostOf(stringAt(child(node, 'url')) ?? ''),
    protocol,
    ...(protocolVersion === undefined ? {} : { protocolVersion }),
    isKafka: kafkaProtocols.has(protocol),
    security: ctx.major === 3 ? securityV3(ctx, child(node, 'security')) : securityV2(ctx, node),
    ...(schemaRegistryUrl === undefined ? {} : { schemaRegistryUrl }),
    source: ctx.locate(entry),
  };
}

/** `kafka://broker:9092/path` → `broker:9092`; a v2 `url` may omit the scheme. */
export function hostOf(url: string): string {
  const withoutScheme = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  return slash === -1 ? withoutScheme : withoutScheme.slice(0, slash);
}

/** v3: a list of Security Scheme Objects, usually `$ref`s to `components.securitySchemes`. */
function securityV3(ctx: AsyncApiContext, list: Node): KafkaSecurity[] {
  const security: KafkaSecurity[] = [];
  for (const item of ctx.items(list)) {
    const first = ctx.hop(item);
    const scheme = ctx.object(item);
    if (first === undefined || scheme === undefined) continue;
    const type = stringAt(child(scheme, 'type'));
    if (type === undefined) continue;
    const segments = splitPointer(first.pointer);
    const named = first !== item && segments.length > 0;
    security.push(schemeOf(named ? (segments.at(-1) ?? type) : type, type, scheme));
  }
  return security;
}

/** v2: requirement objects naming `components.securitySchemes` entries. */
function securityV2(ctx: AsyncApiContext, server: Node): KafkaSecurity[] {
  const schemes = child(ctx.root, 'components', 'securitySchemes');
  const security: KafkaSecurity[] = [];
  for (const requirement of ctx.items(child(server, 'security'))) {
    if (!isRecord(requirement.value)) continue;
    for (const name of Object.keys(requirement.value)) {
      const scheme = ctx.object(child(schemes, name));
      const type = scheme === undefined ? undefined : stringAt(child(scheme, 'type'));
      if (scheme !== undefined && type !== undefined) security.push(schemeOf(name, type, scheme));
    }
  }
  return security;
}

function schemeOf(name: string, type: string, scheme: Node): KafkaSecurity {
  const description = stringAt(child(scheme, 'description'));
  return { name, type, ...(description === undefined ? {} : { description }) };
}
