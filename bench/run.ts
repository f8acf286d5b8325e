/**
 * `npm run bench` runs every benchmark in bench/ in turn; `npm run bench -- NAME …` runs those.
 * Benchmarks are not part of `npm test`; each prints its figures and, last, its ratio to its
 * baseline. Record runs (machine, date, figures) in bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
const all = readdirSync(dir)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`no benchmark ${unknown.join(', ')} (there are: ${all.join(', ')})`);
  process.exit(2);
}
let failed = false;
for (const name of asked.length > 0 ? asked : all) {
  console.log(`== ${name}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(dir, `${name}.ts`)], {
    stdio: 'inherit',
  });
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
