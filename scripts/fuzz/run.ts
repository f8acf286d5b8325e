/**
 * `npm run fuzz`: Schemathesis against the running todo and petstore gateways, with every check
 * (no 5xx, status codes, content types, headers and bodies as the OpenAPI documents declare,
 * schema-invalid requests refused, schema-valid ones accepted, deleted resources gone, …) over
 * every operation. Installs its pinned Schemathesis (scripts/fuzz/schemathesis.ts), starts a
 * broker (or uses `KAFKA_BROKERS`), generates and starts the gateways (scripts/fuzz/targets.ts),
 * and exits non-zero when any check failed anywhere. Reports: .out/fuzz/<target>/junit.xml.
 *
 *   npm run fuzz [-- --target todo] [-- --max-examples N] [-- --seed N]
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startBroker, type Broker } from '../kafka/broker.ts';
import { repoRoot } from '../../test/e2e/support.ts';
import {
  ensureSchemathesis,
  runSchemathesis,
  schemathesisArgs,
  schemathesisVersion,
} from './schemathesis.ts';
import { startTargets, targetNames, type FuzzTarget } from './targets.ts';

const USAGE =
  'usage: npm run fuzz [-- --target NAME]… [-- --max-examples N] [-- --seed N]\n' +
  `targets: ${targetNames.join(', ')} (default: all)`;

/** Test cases per operation and phase: enough to find what a few minutes can, on 2 cores. */
const defaultMaxExamples = 100;
/** Fixed, so a run is repeatable; pass --seed for other cases. */
const defaultSeed = 20_261_127;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string', multiple: true },
      'max-examples': { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const names = values.target ?? targetNames;
  const unknown = names.filter((name) => !targetNames.includes(name));
  const maxExamples = positive(values['max-examples'], defaultMaxExamples);
  const seed = positive(values.seed, defaultSeed);
  if (unknown.length > 0 || maxExamples === undefined || seed === undefined) {
    console.error(USAGE);
    return 2;
  }

  const started = performance.now();
  const schemathesis = await ensureSchemathesis(console.log);
  let broker: Broker | undefined;
  let brokers: string[];
  const external = process.env.KAFKA_BROKERS?.trim();
  if (external !== undefined && external !== '') {
    brokers = external.split(',').map((b) => b.trim());
    console.log(`fuzz: using KAFKA_BROKERS=${external}`);
  } else {
    broker = await startBroker();
    brokers = [broker.brokers];
    console.log(`fuzz: broker at ${broker.brokers}, ready in ${broker.readyMs} ms`);
  }

  let targets: FuzzTarget[] = [];
  const failed: string[] = [];
  try {
    targets = await startTargets(brokers, names);
    for (const target of targets) {
      const options = {
        openapi: target.openapi,
        url: target.url,
        maxExamples,
        seed,
        reportDir: join(repoRoot, '.out/fuzz', target.name),
      };
      console.log(
        `\nfuzz: ${target.name} at ${target.url}: schemathesis ${schemathesisArgs(options).join(' ')}`,
      );
      const code = await runSchemathesis(schemathesis, options);
      if (code !== 0) failed.push(`${target.name} (schemathesis exited ${code})`);
    }
  } finally {
    await Promise.all(targets.map((target) => target.close()));
    await broker?.stop();
  }

  const seconds = Math.round((performance.now() - started) / 1000);
  console.log(
    `\nfuzz: schemathesis ${schemathesisVersion}, ${maxExamples} examples per operation, ` +
      `seed ${seed}, ${seconds} s` +
      (failed.length === 0 ? '' : `; failed: ${failed.join(', ')}`),
  );
  console.log(`fuzz: ${targets.length - failed.length} passed, ${failed.length} failed`);
  return failed.length === 0 ? 0 : 1;
}

/** A whole number ≥ 1 from the command line, `fallback` when absent, undefined when invalid. */
function positive(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`fuzz: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
