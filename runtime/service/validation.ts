/**
 * Command payload validation with Ajv (JSON Schema 2020-12, as runtime/gateway/validation.ts): the
 * spec's named schemas are registered under `$id: specgate`, so payloads can refer to
 * `specgate#/$defs/<id>`. Every payload is compiled when the service starts, so a broken schema
 * fails `startService` rather than the first command.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ServiceSpec } from './types.ts';

/** Checks a decoded body; answers the reason it is invalid, or undefined when it is valid. */
export type PayloadCheck = (body: unknown) => string | undefined;

/** One check per command name that declares a payload schema; `bytes` commands have none. */
export function compilePayloadChecks(spec: ServiceSpec): ReadonlyMap<string, PayloadCheck> {
  const ajv = new Ajv2020({ strict: false, allErrors: false, coerceTypes: false });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'specgate', $defs: spec.schemas });
  const checks = new Map<string, PayloadCheck>();
  for (const command of spec.commands) {
    if (command.payload === undefined || command.body === 'bytes') continue;
    const validate: ValidateFunction = ajv.compile(command.payload as object);
    checks.set(command.name, (body) => {
      if (validate(body)) return undefined;
      const first = validate.errors?.[0];
      return first === undefined ? 'the body is invalid' : describe(first);
    });
  }
  return checks;
}

/** `/body/title must be string`: the failing JSON pointer, as the gateway's 400s name it. */
function describe(error: ErrorObject): string {
  const missing = error.params.missingProperty;
  const pointer = `/body${error.instancePath}${typeof missing === 'string' ? `/${missing}` : ''}`;
  return `${pointer} ${error.message ?? 'is invalid'}`;
}
