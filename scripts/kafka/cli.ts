// `npm run kafka [-- --port N] [-- --bench] [-- --secure]`: a local broker in the foreground
// until Ctrl-C. `--secure` adds a SASL_SSL listener with one user, `specgate`, and a random
// password, and prints the environment a gateway or service needs to use it.
// `npm run kafka:fetch`: only fill the jar cache (`--fetch-only`).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { startBroker } from './broker.ts';
import { ensureKafkaJars } from './jars.ts';

const USAGE = 'usage: tsx scripts/kafka/cli.ts [--fetch-only] [--port N] [--bench] [--secure]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'fetch-only': { type: 'boolean', default: false },
      port: { type: 'string' },
      bench: { type: 'boolean', default: false },
      secure: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65_536)) {
    console.error(`--port must be a TCP port number, got "${values.port}"\n${USAGE}`);
    return 2;
  }

  if (values['fetch-only']) {
    const started = performance.now();
    const libs = await ensureKafkaJars();
    console.log(`kafka: jars in ${libs} (${Math.round(performance.now() - started)} ms)`);
    return 0;
  }

  const user = { name: 'specgate', password: randomBytes(12).toString('hex') };
  const broker = await startBroker({
    port,
    jvm: values.bench ? 'bench' : 'test',
    ...(values.secure ? { secure: { users: [user] } } : {}),
  });
  console.log(`KAFKA_BROKERS=${broker.brokers}`);
  if (broker.secure !== undefined) {
    // A throwaway user of a throwaway local broker: printing its password is the point.
    console.log(
      `kafka: SASL_SSL (${broker.secure.mechanisms.join(', ')}) on ${broker.secure.brokers}:\n` +
        `KAFKA_BROKERS=${broker.secure.brokers} KAFKA_SSL=true ` +
        `KAFKA_SSL_CA_FILE=${broker.secure.caFile} KAFKA_SASL_MECHANISM=scram-sha-512 ` +
        `KAFKA_SASL_USERNAME=${user.name} KAFKA_SASL_PASSWORD=${user.password}`,
    );
  }
  console.log(`kafka: ready in ${broker.readyMs} ms (data in ${broker.dir}); Ctrl-C stops it`);

  const stopped = new Promise<string>((resolve) => {
    const stop = (reason: string) => () => resolve(reason);
    // `on`, not `once`: tsx re-sends a signal it is unsure we got, and a second one must not
    // kill us halfway through stopping the broker.
    process.on('SIGINT', stop('SIGINT'));
    process.on('SIGTERM', stop('SIGTERM'));
    process.on('SIGHUP', stop('SIGHUP'));
    // tsx runs this file in a child process; if tsx dies (even by SIGKILL) we are re-parented.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) stop(`parent process ${parent} exited`)();
    }, 1000).unref();
  });
  const outcome = await Promise.race([
    stopped.then((reason) => ({ crashed: false, reason })),
    broker.exited.then((reason) => ({ crashed: true, reason })),
  ]);
  if (outcome.crashed) {
    const log = await readFile(join(broker.dir, 'broker.log'), 'utf8').catch(() => '');
    console.error(log.trimEnd().split('\n').slice(-40).join('\n'));
    console.error(`kafka: broker exited on its own (${outcome.reason})`);
    await broker.stop();
    return 1;
  }
  console.error(`kafka: stopping (${outcome.reason})`);
  const stopping = performance.now();
  await broker.stop();
  console.error(`kafka: stopped in ${Math.round(performance.now() - stopping)} ms`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
