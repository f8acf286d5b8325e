// A TLS identity for the test broker's SASL_SSL listener, made with the JDK's keytool: a
// self-signed certificate for 127.0.0.1 and localhost in a PKCS12 keystore, and the same
// certificate as PEM for Node clients to trust (`ca`, or KAFKA_SSL_CA_FILE).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface BrokerKeystore {
  /** The PKCS12 keystore (`ssl.keystore.location`). */
  readonly keystore: string;
  /** Store and key password (PKCS12 has one for both). */
  readonly password: string;
  /** The certificate as PEM: self-signed, so it is its own CA. */
  readonly caFile: string;
}

/** keytool starts a JVM per call: keep it small and quick, as the broker's test JVM is. */
const KEYTOOL_JVM = ['-J-XX:+UseSerialGC', '-J-XX:TieredStopAtLevel=1', '-J-Xmx64m'];

/** Writes `broker.p12` and `ca.pem` into `dir`, with keytool from the JDK that runs `java`. */
export async function createBrokerKeystore(dir: string, java: string): Promise<BrokerKeystore> {
  const keytool = join(dirname(await realpath(java)), 'keytool');
  const keystore = join(dir, 'broker.p12');
  const caFile = join(dir, 'ca.pem');
  const password = randomBytes(12).toString('hex');
  const store = ['-keystore', keystore, '-storetype', 'PKCS12', '-storepass', password];
  await runKeytool(keytool, [
    '-genkeypair',
    ...store,
    '-keypass',
    password,
    '-alias',
    'broker',
    '-keyalg',
    'EC',
    '-groupname',
    'secp256r1',
    '-validity',
    '7',
    '-dname',
    'CN=127.0.0.1',
    // Node checks the address it dialled against the SAN: an IP entry for 127.0.0.1.
    '-ext',
    'SAN=ip:127.0.0.1,dns:localhost',
  ]);
  await runKeytool(keytool, ['-exportcert', '-rfc', ...store, '-alias', 'broker', '-file', caFile]);
  return { keystore, password, caFile };
}

function runKeytool(keytool: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(keytool, [...KEYTOOL_JVM, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error === null) {
        resolve();
        return;
      }
      // The arguments hold the store password: name only the step.
      reject(new Error(`keytool ${args[0] ?? ''} failed:\n${stdout}${stderr}`, { cause: error }));
    });
  });
}
