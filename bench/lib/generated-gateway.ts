/** The gateway `specgate generate` wrote into a folder: its spec and route registrations. */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GatewaySpec, RegisterRoutes } from 'specgate/runtime';

export async function importGeneratedGateway(
  dir: string,
): Promise<{ readonly spec: GatewaySpec; readonly routes: RegisterRoutes }> {
  const { spec } = (await import(pathToFileURL(join(dir, 'gateway/spec.ts')).href)) as {
    spec: GatewaySpec;
  };
  const { routes } = (await import(pathToFileURL(join(dir, 'gateway/routes.ts')).href)) as {
    routes: RegisterRoutes;
  };
  return { spec, routes };
}
