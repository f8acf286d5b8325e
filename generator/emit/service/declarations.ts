/**
 * The TypeScript declarations of one generated service, laid out with the types emitter's
 * document printer exactly as prettier would (printWidth 100): the `…Types` interface, the
 * `…Handlers` and `…Event` aliases and the `start…Service` signature. Names are the caller's.
 */
import type { Message } from '../../ir/types.ts';
import {
  composedInterface,
  type ComposedMember,
  type ComposedType,
  type TypeContext,
} from '../types/index.ts';
import {
  group,
  ifBreak,
  indent,
  indentIfBreak,
  join,
  line,
  printDoc,
  softline,
  type Doc,
} from '../types/doc.ts';
import { readsBytes, type OutputPlan, type ServicePlan } from './plan.ts';

/**
 * `export interface <name> { commands; reply; events; snapshots }`: each command's body as the
 * service reads it off Kafka (`Buffer` for a message that is not JSON), the union of the reply payloads (`never` without one), each event
 * topic's messages and each snapshot topic's value. Also the `types.ts` names it uses.
 */
export function typesInterface(
  name: string,
  plan: ServicePlan,
  ctx: TypeContext,
  /** The interface of the outputs several services share, when they do (see `outputsInterface`). */
  sharedOutputs?: string,
): { readonly text: string; readonly references: readonly string[] } {
  const outputs: readonly ComposedMember[] =
    sharedOutputs === undefined
      ? outputMembers(plan.outputs)
      : [
          ['events', { reference: `${sharedOutputs}['events']` }],
          ['snapshots', { reference: `${sharedOutputs}['snapshots']` }],
        ];
  return composedInterface(
    name,
    [
      ['commands', { object: plan.commands.map((c) => [c.name, commandBody(c)]) }],
      ['reply', { union: plan.replies.map(payload) }],
      ...outputs,
    ],
    ctx,
    'read',
  );
}

/**
 * `export interface <name> { events; snapshots }` of what every service of the file may write,
 * declared once when there are several services (each names it instead of repeating it).
 */
export function outputsInterface(
  name: string,
  outputs: readonly OutputPlan[],
  ctx: TypeContext,
): { readonly text: string; readonly references: readonly string[] } {
  return composedInterface(name, outputMembers(outputs), ctx, 'read');
}

function payload(message: Message): ComposedType {
  return { schema: message.payload };
}

/** A command's body as its handler gets it: its payload's type, or the record's bytes. */
function commandBody(message: Message): ComposedType {
  return readsBytes(message) ? { reference: 'Buffer' } : payload(message);
}

/** `events` (each event topic's messages) and `snapshots` (each snapshot topic's value). */
function outputMembers(outputs: readonly OutputPlan[]): ComposedMember[] {
  const of = (kind: 'event' | 'snapshot') => outputs.filter((o) => o.kind === kind);
  return [
    [
      'events',
      {
        object: of('event').map((o) => [
          o.topic,
          { object: o.messages.map((m) => [m.name, payload(m)]) },
        ]),
      },
    ],
    [
      'snapshots',
      { object: of('snapshot').map((o) => [o.topic, { union: o.messages.map(payload) }]) },
    ],
  ];
}

/** `export type <name><State = undefined> = ServiceHandlers<<types>, State>;` */
export function handlersAlias(name: string, types: string): string {
  return printDoc(
    typeAlias(`${name}<State = undefined>`, typeArguments('ServiceHandlers', [types, 'State'])),
  );
}

/** `export type <name> = ServiceEvent<<types>>;` */
export function eventAlias(name: string, types: string): string {
  return printDoc(typeAlias(name, typeArguments('ServiceEvent', [types])));
}

/** `export function <name><State = undefined>(options: TypedServiceOptions<<types>, State>): Service {` */
export function startSignature(name: string, types: string): string {
  return printDoc([
    `export function ${name}<State = undefined>`,
    group([
      '(',
      indent([softline, 'options: ', typeArguments('TypedServiceOptions', [types, 'State'])]),
      ifBreak(','),
      softline,
      ')',
    ]),
    ': Service {',
  ]);
}

/** prettier's "fluid" layout of a type alias: break after `=` only when the head of the right side does not fit. */
function typeAlias(head: string, right: Doc): Doc {
  const id = Symbol('assignment');
  return [
    'export',
    ' ',
    group([group(['type ', head]), ' =', group(indent(line), { id }), indentIfBreak(right, id)]),
    ';',
  ];
}

/** `Name<A, B>`, one argument a line when it does not fit; a lone simple argument never breaks. */
function typeArguments(name: string, args: readonly string[]): Doc {
  if (args.length === 1) return `${name}<${args[0] ?? ''}>`;
  return group([name, '<', indent([softline, join([',', line], [...args])]), softline, '>']);
}
