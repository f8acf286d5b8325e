/**
 * The front half of the pipeline (design §2 stages 1–3): load both specs, parse them into the
 * IR, and bind routes (and check the services they imply, emit/service/check-services.ts).
 * Never throws on bad input: every problem comes back as a diagnostic.
 */
import { bindRoutes } from './bind/bind-routes.ts';
import type { SpecgateConfig } from './config.ts';
import { Diagnostics, type Diagnostic } from './diagnostics.ts';
import { checkServices } from './emit/service/check-services.ts';
import { SchemaRegistry } from './ir/schema-registry.ts';
import type { Api } from './ir/types.ts';
import { DocumentSet } from './load/document-set.ts';
import { parseAsyncApi } from './parse/asyncapi/index.ts';
import { parseOpenApi } from './parse/openapi/index.ts';

export interface ValidateResult {
  /** Present when both specs parsed (bind problems may still be in `diagnostics`). */
  readonly api?: Api;
  readonly diagnostics: readonly Diagnostic[];
  readonly hasErrors: boolean;
  /** The files read, for code frames. */
  readonly documents: DocumentSet;
}

export interface ValidateOptions {
  /** Diagnostics already collected (from loading the config file). */
  readonly diagnostics?: Diagnostics;
  readonly documents?: DocumentSet;
}

export async function validateSpecs(
  config: SpecgateConfig,
  options: ValidateOptions = {},
): Promise<ValidateResult> {
  const diagnostics = options.diagnostics ?? new Diagnostics();
  const documents = options.documents ?? new DocumentSet(diagnostics);
  const registry = new SchemaRegistry();
  const ctx = { documents, registry, diagnostics };
  const http = await parseOpenApi(ctx, config.openapi);
  const kafka = await parseAsyncApi(ctx, config.asyncapi);
  let api: Api | undefined;
  if (http !== undefined && kafka !== undefined) {
    const schemas = registry.all();
    const routes = bindRoutes({ http, kafka, schemas, mappings: config.routes, diagnostics });
    api = { http, kafka, schemas, routes };
    checkServices(api, diagnostics);
  }
  return {
    ...(api === undefined ? {} : { api }),
    diagnostics: diagnostics.items,
    hasErrors: diagnostics.hasErrors,
    documents,
  };
}
