/**
 * Request validation with Ajv (JSON Schema 2020-12, the dialect the generator normalises every
 * schema to). Two instances: one coerces strings for path, query and header values (they arrive
 * as text), one validates bodies and AsyncAPI payloads exactly. Both know the spec's named
 * schemas under `$id: specgate`, which route schemas refer to as `specgate#/$defs/<id>`.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { HttpProblem, type ProblemError } from './problems.ts';
import type { CommandRouteSpec, GatewaySpec } from './route-spec.ts';

export interface PayloadValidator {
  /** Throws a 400 problem unless the body matches one of the route's message payloads. */
  check(route: CommandRouteSpec, body: unknown): void;
}

export interface Validators {
  readonly compiler: FastifySchemaCompiler<unknown>;
  readonly payloads: PayloadValidator;
}

export function createValidators(spec: GatewaySpec): Validators {
  // Made on first use too: adding a large spec's schemas takes a while (bench B6's start-up).
  let exactAjv: Ajv2020 | undefined;
  let coercingAjv: Ajv2020 | undefined;
  const exact = (): Ajv2020 => (exactAjv ??= makeAjv(spec, false));
  const coercing = (): Ajv2020 => (coercingAjv ??= makeAjv(spec, true));
  // Compiled on a route's first request, not at start: a spec of a thousand operations would
  // otherwise spend seconds compiling validators before the gateway listens (bench B6).
  const compiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
    let validate: ValidateFunction | undefined;
    const lazy = (data: unknown): boolean => {
      // A body of a non-JSON media type (raw-body.ts: bytes) has no JSON schema to meet.
      if (httpPart === 'body' && Buffer.isBuffer(data)) return true;
      validate ??= (httpPart === 'body' ? exact() : coercing()).compile(schema as object);
      const valid = validate(data);
      // Fastify reads a failed check's errors from the function it was given.
      lazy.errors = validate.errors;
      return valid;
    };
    lazy.errors = undefined as ErrorObject[] | null | undefined;
    return lazy;
  };
  const compiled = new Map<CommandRouteSpec, ValidateFunction[]>();
  const payloads: PayloadValidator = {
    check(route, body) {
      if (route.payloads.length === 0 || body === undefined || Buffer.isBuffer(body)) return;
      let validators = compiled.get(route);
      if (validators === undefined) {
        validators = route.payloads.map((schema) => exact().compile(schema as object));
        compiled.set(route, validators);
      }
      let errors: ErrorObject[] = [];
      for (const validate of validators) {
        if (validate(body)) return;
        errors = validate.errors ?? [];
      }
      const list = errors.map(toProblemError);
      const first = list[0];
      throw new HttpProblem(
        'VALIDATION_FAILED',
        `the body does not match the Kafka message payload${first === undefined ? '' : `: ${first.pointer} ${first.detail}`}`,
        { errors: list },
      );
    },
  };
  return { compiler, payloads };
}

function makeAjv(spec: GatewaySpec, coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: false,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    // A format Ajv does not know (GitHub's `repo.nwo`, say) is not checked, as JSON Schema
    // allows; Ajv would otherwise say so on the console for every schema that uses it.
    logger: false,
    // The generator validated every schema already.
    validateSchema: false,
  });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'specgate', $defs: spec.schemas });
  return ajv;
}

function toProblemError(error: ErrorObject): ProblemError {
  const missing = error.params.missingProperty;
  const pointer = `/body${error.instancePath}${typeof missing === 'string' ? `/${missing}` : ''}`;
  return { pointer, detail: error.message ?? 'is invalid' };
}
