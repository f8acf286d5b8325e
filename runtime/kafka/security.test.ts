import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeSasl,
  resolveKafkaSecurity,
  type KafkaEnv,
  type KafkaSecuritySpec,
} from './security.ts';
import type { KafkaSaslConfig } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'specgate-security-test-'));
const caFile = join(dir, 'ca.pem');
const certFile = join(dir, 'client.pem');
const keyFile = join(dir, 'client.key');
writeFileSync(caFile, 'CA PEM');
writeFileSync(certFile, 'CERT PEM');
writeFileSync(keyFile, 'KEY PEM');

const password = 's3cret-Pa55';
const credentials = { KAFKA_SASL_USERNAME: 'alice', KAFKA_SASL_PASSWORD: password };
const scram: KafkaSecuritySpec = { tls: true, mechanisms: ['scram-sha-512', 'scram-sha-256'] };
const tlsOnly: KafkaSecuritySpec = { tls: true, mechanisms: [] };

describe('resolveKafkaSecurity', () => {
  it.each<{
    name: string;
    declared?: KafkaSecuritySpec;
    env: KafkaEnv;
    want: ReturnType<typeof resolveKafkaSecurity>;
  }>([
    { name: 'nothing declared or set', env: {}, want: {} },
    { name: 'kafka-secure: platform CAs', declared: tlsOnly, env: {}, want: { ssl: true } },
    {
      name: 'kafka-secure with a CA file',
      declared: tlsOnly,
      env: { KAFKA_SSL_CA_FILE: caFile },
      want: { ssl: { ca: 'CA PEM' } },
    },
    {
      name: 'a CA file alone turns TLS on',
      env: { KAFKA_SSL_CA_FILE: caFile },
      want: { ssl: { ca: 'CA PEM' } },
    },
    {
      name: 'a client certificate for mutual TLS',
      declared: tlsOnly,
      env: { KAFKA_SSL_CERT_FILE: certFile, KAFKA_SSL_KEY_FILE: keyFile },
      want: { ssl: { cert: 'CERT PEM', key: 'KEY PEM' } },
    },
    { name: 'KAFKA_SSL=false overrides', declared: tlsOnly, env: { KAFKA_SSL: 'false' }, want: {} },
    { name: 'KAFKA_SSL=true switches it on', env: { KAFKA_SSL: 'TRUE' }, want: { ssl: true } },
    {
      name: 'the first declared mechanism',
      declared: scram,
      env: credentials,
      want: {
        ssl: true,
        sasl: { mechanism: 'scram-sha-512', username: 'alice', password },
      },
    },
    {
      name: 'KAFKA_SASL_MECHANISM picks a declared one',
      declared: scram,
      env: { ...credentials, KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256' },
      want: {
        ssl: true,
        sasl: { mechanism: 'scram-sha-256', username: 'alice', password },
      },
    },
    {
      name: 'KAFKA_SASL_MECHANISM sets one when none is declared',
      env: { ...credentials, KAFKA_SASL_MECHANISM: 'plain' },
      want: { sasl: { mechanism: 'plain', username: 'alice', password } },
    },
    {
      name: 'a password is taken as it is',
      env: { ...credentials, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: ' two words ' },
      want: { sasl: { mechanism: 'plain', username: 'alice', password: ' two words ' } },
    },
  ])('$name', ({ declared, env, want }) => {
    expect(resolveKafkaSecurity(declared, env)).toEqual(want);
  });

  it.each<{ name: string; declared?: KafkaSecuritySpec; env: KafkaEnv; error: RegExp }>([
    {
      name: 'declared SASL without a password',
      declared: scram,
      env: { KAFKA_SASL_USERNAME: 'alice' },
      error:
        /SCRAM-SHA-512 \(the AsyncAPI server declares it\) needs credentials: set KAFKA_SASL_PASSWORD$/,
    },
    {
      name: 'declared SASL without credentials',
      declared: scram,
      env: {},
      error: /set KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD$/,
    },
    {
      name: 'a mechanism the server does not allow',
      declared: scram,
      env: { ...credentials, KAFKA_SASL_MECHANISM: 'plain' },
      error: /KAFKA_SASL_MECHANISM=plain is not one the AsyncAPI server allows/,
    },
    {
      name: 'an unknown mechanism',
      env: { ...credentials, KAFKA_SASL_MECHANISM: 'gssapi' },
      error: /KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512, not "gssapi"/,
    },
    {
      name: 'credentials without a mechanism',
      env: credentials,
      error: /declares no SASL scheme: set KAFKA_SASL_MECHANISM/,
    },
    { name: 'KAFKA_SSL not a boolean', env: { KAFKA_SSL: 'yes please' }, error: /^KAFKA_SSL must/ },
    {
      name: 'a certificate without its key',
      declared: tlsOnly,
      env: { KAFKA_SSL_CERT_FILE: certFile },
      error: /set both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/,
    },
    {
      name: 'a CA file that is not there',
      declared: tlsOnly,
      env: { ...credentials, KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') },
      error: /^KAFKA_SSL_CA_FILE: cannot read .*missing\.pem: ENOENT/,
    },
  ])('throws for $name, naming the setting and never the password', ({ declared, env, error }) => {
    let message = '';
    try {
      resolveKafkaSecurity(declared, env);
    } catch (thrown) {
      message = thrown instanceof Error ? thrown.message : String(thrown);
    }
    expect(message).toMatch(error);
    expect(message).not.toContain(password);
  });
});

describe('describeSasl', () => {
  it('names the mechanism and user, never the password', () => {
    const sasl: KafkaSaslConfig = { mechanism: 'scram-sha-256', username: 'alice', password };
    const text = describeSasl(sasl);
    expect(text).toBe('SASL SCRAM-SHA-256 login of user "alice"');
    expect(describeSasl(undefined)).toBe('no SASL');
  });
});
