// The todo example's generated code is committed (the example's service and page import it, and
// `tsc -p .` type-checks them together); `npm run demo` regenerates it. It must be what the
// current generator writes from the current specs, as `--check` in a user's CI would insist.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.ts';

const config = fileURLToPath(new URL('../../examples/todo/specgate.yaml', import.meta.url));

describe('examples/todo/generated', () => {
  it('is up to date with specs/todo (specgate generate --check)', async () => {
    const result = await runCli(['generate', '--config', config, '--check']);
    expect(result.stdout + result.stderr).toContain('is up to date');
    expect(result.code).toBe(0);
  });
});
