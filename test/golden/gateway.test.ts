/**
 * Golden files of the gateway target, in test/golden/gateway/<case>/ (harness: golden-target.ts):
 * what `specgate generate` writes for the todo and petstore examples and for a corpus document
 * (the AsyncAPI streetlights example, paired with an OpenAPI fixture). `tsc -p .` type-checks
 * them against the real runtime and Fastify types; a diff in them is reviewed like code.
 */
import { gatewayCheckFiles } from '../../generator/emit/gateway/check-files.ts';
import { goldenTarget } from './golden-target.ts';

goldenTarget('gateway', gatewayCheckFiles);
