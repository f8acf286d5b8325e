/**
 * The Kafka security generated code starts with (design.md §9): TLS when the AsyncAPI server's
 * protocol is `kafka-secure` (or it has an `X509` scheme), and the SASL mechanisms its security
 * schemes name (`plain` and `userPassword` → PLAIN, `scramSha256`, `scramSha512`), in declaration
 * order. The runtime completes it from the environment (credentials, CA file; see
 * runtime/kafka/security.ts). Other schemes (`oauth2`, `gssapi`, …) are not connected with.
 *
 * One declaration for the whole gateway and service: the first Kafka server's, in the order the
 * document lists them. Servers that declare something else (a plain local broker after a secure
 * production one, say) are not merged; `KAFKA_SSL` and `KAFKA_SASL_MECHANISM` override at run
 * time.
 */
import type { KafkaApi, KafkaServer } from '../../ir/types.ts';
import { stringLiteral } from '../naming.ts';

/** As runtime/kafka/security-spec.ts declares it (the generator does not import the runtime). */
export interface KafkaSecurityDeclaration {
  readonly tls: boolean;
  readonly mechanisms: readonly ('plain' | 'scram-sha-256' | 'scram-sha-512')[];
}

/** AsyncAPI security scheme type → SASL mechanism. */
const mechanismOf: ReadonlyMap<string, KafkaSecurityDeclaration['mechanisms'][number]> = new Map([
  ['plain', 'plain'],
  ['userPassword', 'plain'],
  ['scramSha256', 'scram-sha-256'],
  ['scramSha512', 'scram-sha-512'],
]);

/** The first Kafka server's security; undefined when it asks for neither TLS nor SASL. */
export function kafkaSecurityOf(api: KafkaApi): KafkaSecurityDeclaration | undefined {
  // The IR sorts servers by id; where they were declared gives the document's order back.
  const server: KafkaServer | undefined = api.servers
    .filter((s) => s.isKafka)
    .sort((a, b) => a.source.line - b.source.line || a.source.column - b.source.column)[0];
  if (server === undefined) return undefined;
  const tls = server.protocol === 'kafka-secure' || server.security.some((s) => s.type === 'X509');
  const mechanisms = [...new Set(server.security.flatMap((s) => mechanismOf.get(s.type) ?? []))];
  return tls || mechanisms.length > 0 ? { tls, mechanisms } : undefined;
}

/** `{ tls: true, mechanisms: ['scram-sha-512'] }`, or undefined when there is nothing to declare. */
export function kafkaSecurityLiteral(api: KafkaApi): string | undefined {
  const security = kafkaSecurityOf(api);
  if (security === undefined) return undefined;
  const mechanisms = security.mechanisms.map(stringLiteral).join(', ');
  return `{ tls: ${security.tls}, mechanisms: [${mechanisms}] }`;
}
