/**
 * What the in-memory type check of `service/handlers.ts` (design §2, step 4) needs besides it:
 * `specgate/service` as generated code sees it, made of the runtime's own contract
 * (runtime/service/types.ts, read as text so the check always uses the current one) and a
 * declaration of `startTypedService`. The full check, against the real runtime, is the type
 * check of the golden files.
 */
import { readFileSync } from 'node:fs';
import type { GeneratedFile } from '../generated-file.ts';
import { specgatePackage } from '../gateway/check-files.ts';

const serviceTypes = new URL('../../../runtime/service/types.ts', import.meta.url);
const securitySpec = new URL('../../../runtime/kafka/security-spec.ts', import.meta.url);

const serviceIndex = `export type * from './types.ts';
import type { Service, ServiceSpec, ServiceTypes, TypedServiceOptions } from './types.ts';
export declare function startTypedService<T extends ServiceTypes, State>(
  spec: ServiceSpec,
  options: TypedServiceOptions<T, State>,
): Service;
`;

/** A script, not a module: its interface is global. */
const bufferGlobal = 'interface Buffer extends Uint8Array {}\n';

let cached: GeneratedFile[] | undefined;

/** Extra files for `checkTypeScript`, under `node_modules/` of the output folder. */
export function serviceCheckFiles(): GeneratedFile[] {
  cached ??= [
    specgatePackage,
    { path: 'node_modules/specgate/service/index.ts', content: serviceIndex },
    { path: 'node_modules/specgate/service/types.ts', content: readFileSync(serviceTypes, 'utf8') },
    // types.ts imports it as ../kafka/security-spec.ts.
    {
      path: 'node_modules/specgate/kafka/security-spec.ts',
      content: readFileSync(securitySpec, 'utf8'),
    },
    // types.ts names prom-client's Registry (`ServiceOptions.metrics`); its shape is not used.
    {
      path: 'node_modules/prom-client/package.json',
      content: JSON.stringify({ name: 'prom-client', types: './index.d.ts' }),
    },
    { path: 'node_modules/prom-client/index.d.ts', content: 'export declare class Registry {}\n' },
    // Node's global Buffer (the body of a command that is not JSON), as far as handlers.ts
    // names it: the check has no @types/node, and what a Buffer can do is the handler's business.
    { path: 'node_modules/@types/node/buffer.d.ts', content: bufferGlobal },
  ];
  return cached;
}
