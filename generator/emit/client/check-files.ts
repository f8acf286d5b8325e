/**
 * What the in-memory type check of the client's files (design §2, step 4) needs besides them:
 * `specgate/client`, made of the runtime's contract (runtime/client/types.ts, read as text so the
 * check always uses the current one) and declarations of the two values generated code and its
 * users touch, `createClientCore` and `ClientError`. The full check, against the real runtime, is
 * the type check of the golden files.
 */
import { readFileSync } from 'node:fs';
import type { GeneratedFile } from '../generated-file.ts';

const contract = new URL('../../../runtime/client/types.ts', import.meta.url);

/** The values of `specgate/client` (runtime/client/index.ts), declared. */
const clientValues = `
export declare function createClientCore(options: ClientOptions): ClientCore;
export declare class ClientError extends Error {
  readonly code: string;
}
`;

let cached: GeneratedFile[] | undefined;

/**
 * Extra files for `checkTypeScript`, under `node_modules/` of the output folder. The package.json
 * maps both `./runtime` and `./client`, as specgate's own does, so these files can be given
 * after the gateway's (`gatewayCheckFiles()`) when both targets are checked together.
 */
export function clientCheckFiles(): GeneratedFile[] {
  cached ??= [
    {
      path: 'node_modules/specgate/package.json',
      content: JSON.stringify({
        name: 'specgate',
        type: 'module',
        exports: { './runtime': './runtime/index.ts', './client': './client/index.ts' },
      }),
    },
    {
      path: 'node_modules/specgate/client/index.ts',
      content: readFileSync(contract, 'utf8') + clientValues,
    },
  ];
  return cached;
}
