/**
 * Golden files of the client target, in test/golden/client/<case>/ (harness: golden-target.ts):
 * the client for the todo and petstore examples and for the streetlights pair (a route that
 * only streams). `tsc -p .` type-checks them against the real client runtime, and
 * client-types.test.ts tests the todo client's types.
 */
import { clientCheckFiles } from '../../generator/emit/client/index.ts';
import { goldenTarget } from './golden-target.ts';

goldenTarget('client', clientCheckFiles);
