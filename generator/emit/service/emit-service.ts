/**
 * The service emitter: IR → `service/handlers.ts`, typed handlers for each service the AsyncAPI
 * document implies (plan.ts), over the service runtime (`specgate/service`, whose contract is
 * runtime/service/types.ts). Per command topic, e.g. `task-commands` (channel `taskCommands`):
 *
 * - `taskCommandsSpec`, the `ServiceSpec` the runner reads (commands with their payload schemas,
 *   or `body: 'bytes'` for a message that is not JSON, how they are dispatched, the outputs, the
 *   reply headers, the schemas the payloads refer to);
 * - `TaskCommandsTypes`, the shapes: each command's body, the reply, each event topic's messages
 *   and each snapshot topic's value, from `../types.ts` (the types the gateway and client use);
 * - `TaskCommandsHandlers<State>` and `TaskCommandsEvent`, and `startTaskCommandsService`.
 *
 * Pure, deterministic (channels in id order, names sorted) and formatted as Prettier would.
 */
import type { Api, Schema } from '../../ir/types.ts';
import { generatedHeader, type GeneratedFile } from '../generated-file.ts';
import { importDeclaration, relativeImport } from '../gateway/emit-gateway.ts';
import { kafkaSecurityLiteral } from '../gateway/kafka-security.ts';
import { compare, schemaLiteral } from '../gateway/schema-literal.ts';
import { code, multiline, printLiteral, width, type Literal } from '../gateway/ts-literal.ts';
import { NameAllocator, typeName, valueName } from '../naming.ts';
import { typeContext, typesFile, type TypeContext, type TypeOptions } from '../types/index.ts';
import { renderTemplate } from '../types/render-template.ts';
import {
  eventAlias,
  handlersAlias,
  outputsInterface,
  startSignature,
  typesInterface,
} from './declarations.ts';
import { planServices, readsBytes, type ServicePlan } from './plan.ts';

export interface EmitServiceOptions extends TypeOptions {
  /** The project root: the file header names the spec files relative to it. */
  readonly root: string;
}

/** The service's files, relative to the output folder. */
export const serviceFiles = { handlers: 'service/handlers.ts' } as const;

export const runtimeImports = [
  'startTypedService',
  'type Service',
  'type ServiceEvent',
  'type ServiceHandlers',
  'type ServiceSpec',
  'type TypedServiceOptions',
];

const printWidth = 100;

export function emitService(api: Api, options: EmitServiceOptions): GeneratedFile[] {
  const header = generatedHeader([api.http.file, api.kafka.file], options.root);
  const ctx = typeContext(api, options);
  const { services, notes } = planServices(api);
  // The names of ../types.ts are reserved too: the file may import any of them.
  const names = new NameAllocator([
    ...[...ctx.names.values()].flatMap((n) => [n.read, n.write]),
    ...runtimeImports.map((name) => name.replace('type ', '')),
  ]);
  const references = new Set<string>();
  // Several services share one list of outputs (every topic the gateway reads): declared once,
  // or the file would grow with services × outputs.
  const [first] = services;
  let shared: SharedOutputs | undefined;
  if (services.length > 1 && first !== undefined) {
    const outputsValue = names.allocate('serviceOutputs');
    const outputsType = names.allocate('ServiceOutputTypes');
    const declared = outputsInterface(outputsType, first.outputs, ctx);
    for (const name of declared.references) references.add(name);
    const head = `export const ${outputsValue} = `;
    shared = {
      valueName: outputsValue,
      typeName: outputsType,
      literal: printLiteral(outputsLiteral(first), {
        column: head.length,
        indent: 0,
        suffix: " as const satisfies ServiceSpec['outputs'];",
      }),
      typesDeclaration: declared.text,
    };
  }
  const views = services.map((plan) => serviceView(api, ctx, plan, names, references, shared));

  const imports: string[] = [];
  if (services.length > 0) {
    imports.push(importDeclaration(runtimeImports, 'specgate/service', false));
  }
  if (references.size > 0) {
    imports.push(
      importDeclaration(
        [...references].sort(compare),
        relativeImport(serviceFiles.handlers, typesFile),
        true,
      ),
    );
  }
  const allNotes = [...new Set(notes)];
  if (services.length === 0) {
    allNotes.unshift('No command topic has a service: nothing to handle.');
  }
  return [
    {
      path: serviceFiles.handlers,
      content: renderTemplate('service/handlers.ts.hbs', {
        header,
        imports,
        notes: allNotes,
        shared: shared === undefined ? [] : [shared],
        services: views,
      }),
    },
  ];
}

function serviceView(
  api: Api,
  ctx: TypeContext,
  plan: ServicePlan,
  names: NameAllocator,
  references: Set<string>,
  shared: SharedOutputs | undefined,
): object {
  const base = plan.channel.id;
  const specName = names.allocate(valueName(`${base} spec`, 'serviceSpec'));
  const typesName = names.allocate(typeName(`${base} types`));
  const handlersName = names.allocate(typeName(`${base} handlers`));
  const eventName = names.allocate(typeName(`${base} event`));
  const startName = names.allocate(valueName(`start ${base} service`, 'startService'));

  const types = typesInterface(typesName, plan, ctx, shared?.typeName);
  for (const name of types.references) references.add(name);

  const specHead = `export const ${specName} = `;
  return {
    specName,
    specLiteral: printLiteral(specLiteral(api, plan, shared?.valueName), {
      column: specHead.length,
      indent: 0,
      suffix: ' as const satisfies ServiceSpec;',
    }),
    typesDeclaration: types.text,
    handlersAlias: handlersAlias(handlersName, typesName),
    eventAlias: eventAlias(eventName, typesName),
    startSignature: startSignature(startName, typesName),
    startOptions: startOptions(api),
    specDoc: docComment(
      `The ${plan.topic} service as the runner reads it: commands, dispatch, outputs, reply headers.`,
    ),
    typesDoc: docComment(
      `The shapes of the ${plan.topic} service: each command's body, the reply, what it may write.`,
    ),
    handlersDoc: docComment(
      `One handler per command of ${plan.topic}; \`State\` is the \`aggregate\`'s, when it has one.`,
    ),
    startDoc: docComment(
      `Starts the ${plan.topic} service: consumes ${plan.commands.map((c) => c.name).join(', ')}` +
        ` and may write ${
          shared === undefined
            ? plan.outputs.map((o) => `${o.topic} (${o.kind})`).join(', ') || 'nothing'
            : `what \`${shared.valueName}\` lists`
        }.`,
    ),
  };
}

/** `options`, or the Kafka security the AsyncAPI server declares with `options` over it. */
function startOptions(api: Api): string {
  const kafka = kafkaSecurityLiteral(api.kafka);
  return kafka === undefined ? 'options' : `{\n    kafka: ${kafka},\n    ...options,\n  }`;
}

/** The outputs declared once for several services. */
interface SharedOutputs {
  readonly valueName: string;
  readonly typeName: string;
  readonly literal: string;
  readonly typesDeclaration: string;
}

function outputsLiteral(plan: ServicePlan): Literal {
  return plan.outputs.map((output) => ({
    topic: output.topic,
    kind: output.kind,
    messages: output.messages.map((m) => m.name),
    typeHeader: output.typeHeader,
  }));
}

function specLiteral(api: Api, plan: ServicePlan, sharedOutputs?: string): Literal {
  // A bytes command's payload describes what its bytes hold; the runner checks none of it.
  const payloads = plan.commands.flatMap((c) =>
    c.payload === undefined || readsBytes(c) ? [] : [c.payload],
  );
  const schemas: { [id: string]: Literal } = {};
  for (const id of reachableSchemas(api, payloads)) {
    const named = api.schemas[id];
    if (named !== undefined) schemas[id] = schemaLiteral(named.schema);
  }
  return multiline({
    title: `${api.kafka.title} ${plan.topic}`,
    commandTopic: plan.topic,
    dispatch: plan.dispatch?.by,
    commands: plan.commands.map((command) => {
      const tag = plan.dispatch?.tags.get(command.name);
      const bytes = readsBytes(command);
      return {
        name: command.name,
        tag: tag === command.name ? undefined : tag,
        body: bytes ? 'bytes' : undefined,
        payload:
          command.payload === undefined || bytes ? undefined : schemaLiteral(command.payload),
      };
    }),
    outputs: sharedOutputs === undefined ? outputsLiteral(plan) : code(sharedOutputs),
    schemas: Object.keys(schemas).length === 0 ? {} : multiline(schemas),
    correlationHeader: plan.correlationHeader,
    replyToHeader: plan.replyToHeader,
  });
}

/** The ids of the named schemas `roots` refer to, directly or through each other, sorted. */
export function reachableSchemas(api: Api, roots: readonly Schema[]): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, member] of Object.entries(value)) {
      if ((key === '$ref' || key === 'mapping') && typeof member === 'string') refer(member);
      else if (key === 'mapping' && typeof member === 'object' && member !== null) {
        for (const ref of Object.values(member)) if (typeof ref === 'string') refer(ref);
      } else visit(member);
    }
  };
  const refer = (ref: string): void => {
    if (!ref.startsWith('#/$defs/')) return;
    const id = ref.slice('#/$defs/'.length);
    if (found.has(id)) return;
    found.add(id);
    visit(api.schemas[id]?.schema);
  };
  for (const root of roots) visit(root);
  return [...found].sort(compare);
}

/** A `/** … *\/` comment of `text`, wrapped to the print width (one line when it fits). */
export function docComment(text: string): string {
  const safe = text.replaceAll('*/', '*\\/');
  if (width(`/** ${safe} */`) <= printWidth) return `/** ${safe} */`;
  const lines: string[] = [];
  let line = '';
  for (const word of safe.split(/\s+/)) {
    if (line !== '' && width(` * ${line} ${word}`) > printWidth) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return ['/**', ...lines.map((l) => ` * ${l}`), ' */'].join('\n');
}
