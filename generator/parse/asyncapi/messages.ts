/**
 * Message Objects → {@link Message}. A message is identified by the place it is written, so a
 * component that many channels and operations `$ref` is one message. Components keep their key
 * as id; a message written inline (in a channel, an operation or another file) gets an id from
 * its context, made unique deterministically (`name`, `name2`, … in document order).
 */
import type { CorrelationId, Message } from '../../ir/types.ts';
import { splitPointer } from '../../load/pointer.ts';
import { nameOf } from '../schema.ts';
import { byId, child, placeOf, stringAt, type AsyncApiContext, type Node } from './context.ts';
import { parsePayload } from './payload.ts';
import { View } from './view.ts';

export class MessageTable {
  readonly #ctx: AsyncApiContext;
  readonly #ids = new Map<string, string>();
  readonly #taken = new Set<string>();
  readonly #messages: Message[] = [];

  constructor(ctx: AsyncApiContext) {
    this.#ctx = ctx;
  }

  /** Every `components.messages` entry, in document order, each under its own key. */
  addComponents(): void {
    const components = child(this.#ctx.root, 'components', 'messages');
    for (const [key, entry] of this.#ctx.entries(components)) this.add(entry, key);
  }

  /**
   * The id of the message written at (or referred to by) `written`, reading it on first sight;
   * `candidate` names an inline message. Undefined (reported) when a `$ref` is broken.
   */
  add(written: Node, candidate: string): string | undefined {
    const target = this.#ctx.object(written);
    if (target === undefined) return undefined;
    const place = placeOf(target);
    const known = this.#ids.get(place);
    if (known !== undefined) return known;
    const id = this.#unique(this.#nameFor(target, candidate));
    this.#ids.set(place, id);
    this.#messages.push(parseMessage(this.#ctx, target, id));
    return id;
  }

  /** Every message read, sorted by id. */
  all(): Message[] {
    return byId(this.#messages);
  }

  #nameFor(target: Node, candidate: string): string {
    const segments = splitPointer(target.pointer);
    const [first, second, key] = segments;
    if (segments.length === 3 && first === 'components' && second === 'messages' && key) {
      return key;
    }
    if (target.file !== this.#ctx.root.file) return nameOf(target.file, target.pointer);
    return candidate;
  }

  #unique(name: string): string {
    const base = name === '' ? 'message' : name;
    let id = base;
    for (let n = 2; this.#taken.has(id); n++) id = `${base}${n}`;
    this.#taken.add(id);
    return id;
  }
}

/** The Message Object at `node` (dereferenced), its traits applied. */
export function parseMessage(ctx: AsyncApiContext, node: Node, id: string): Message {
  const message = View.withTraits(ctx, node);
  const title = message.string('title');
  const summary = message.string('summary');
  const headers = message.schema('headers');
  const correlationId = parseCorrelationId(ctx, message.field('correlationId'));
  const key = message.view('bindings')?.view('kafka')?.schema('key');
  return {
    id,
    name: message.string('name') ?? id,
    ...(title === undefined ? {} : { title }),
    ...(summary === undefined ? {} : { summary }),
    contentType: message.string('contentType') ?? ctx.defaultContentType,
    ...parsePayload(ctx, message),
    ...(headers === undefined ? {} : { headers: ctx.schema(headers) }),
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(key === undefined ? {} : { key: ctx.schema(key) }),
    source: ctx.locate(node),
  };
}

/** `$message.header#/NAME` → `NAME`; a body location or a nested pointer → undefined. */
export function correlationHeader(location: string): string | undefined {
  const match = /^\$message\.header#(\/.*)$/.exec(location.trim());
  if (match?.[1] === undefined) return undefined;
  const segments = splitPointer(match[1]);
  return segments.length === 1 ? segments[0] : undefined;
}

function parseCorrelationId(
  ctx: AsyncApiContext,
  written: Node | undefined,
): CorrelationId | undefined {
  if (written === undefined) return undefined;
  const node = ctx.object(written);
  if (node === undefined) return undefined;
  const location = stringAt(child(node, 'location'));
  if (location === undefined) return undefined;
  const header = correlationHeader(location);
  return {
    location,
    ...(header === undefined ? {} : { header }),
    source: ctx.locate(node),
  };
}
