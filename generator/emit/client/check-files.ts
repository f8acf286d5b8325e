/**
 * What the in-memory type check of the client's files (design §2, step 4) needs besides them:
 * `specgate/client`, made of the runtime's contract (runtime/client/types.ts, read as text so the
 * check always uses the current one) and declarations of the two values generated code and its
 * users touch, `createClientCore` and `ClientError`. The full check, against the real runtime, is
 * the type check of the golden files.
 */
import { readFileSync } from 'node:fs';
import type { GeneratedFile } from '../generated-file.ts';
import { specgatePackage } from '../gateway/check-files.ts';

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
 * Extra files for `checkTypeScript`, under `node_modules/` of the output folder; the package.json
 * is the one the gateway's check files give too.
 */
export function clientCheckFiles(): GeneratedFile[] {
  cached ??= [
    specgatePackage,
    {
      path: 'node_modules/specgate/client/index.ts',
      content: readFileSync(contract, 'utf8') + clientValues,
    },
  ];
  return cached;
}
