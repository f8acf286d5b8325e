/**
 * Golden files of the service target, in test/golden/service/<case>/ (harness: golden-target.ts):
 * the service for the todo and petstore examples and for the streetlights pair (a route that
 * only streams). `tsc -p .` type-checks them against the real service runtime, and
 * service-types.test.ts tests the todo service's types.
 */
import { serviceCheckFiles } from '../../generator/emit/service/index.ts';
import { goldenTarget } from './golden-target.ts';

goldenTarget('service', serviceCheckFiles);
