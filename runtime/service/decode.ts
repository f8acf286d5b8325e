/**
 * Turns a command record into the name, key, headers and body a handler sees, or into the reason
 * it cannot be handled (a 400 reply): no or unknown message name, a value that is not JSON, a
 * body that breaks the command's payload schema. A `bytes` command (a message that is not JSON)
 * gets its value as it came: nothing is parsed or checked.
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { isJsonMediaType } from '../gateway/raw-body.ts';
import type { PayloadCheck } from './validation.ts';
import type { Command, ServiceSpec } from './types.ts';

export type Decoded =
  | { readonly ok: true; readonly command: Command<unknown> }
  | {
      readonly ok: false;
      readonly detail: string;
      /** What is known of the command, for the reply and the log. */
      readonly key: string;
      readonly headers: Readonly<Record<string, string>>;
    };

/** A JSON value: undefined for an empty one. */
type Parsed = { readonly ok: true; readonly body: unknown } | { readonly ok: false };

export function decodeCommand(
  spec: ServiceSpec,
  checks: ReadonlyMap<string, PayloadCheck>,
  partition: number,
  message: KafkaMessage,
): Decoded {
  const key = message.key?.toString('utf8') ?? '';
  const headers = decodeHeaders(message.headers);
  const fail = (detail: string): Decoded => ({ ok: false, detail, key, headers });

  // Only a field dispatch reads the value before the command is known; the generator never
  // dispatches a topic that carries a `bytes` command by a field.
  let parsed: Parsed | undefined;
  let name: string | undefined;
  const { dispatch } = spec;
  if (dispatch === undefined) {
    // A topic of one command type: every record is that command.
    name = spec.commands[0]?.name;
    if (name === undefined) return fail(`${spec.commandTopic} declares no command`);
  } else if ('header' in dispatch) {
    name = headers[dispatch.header];
    if (name === undefined) return fail(`the command has no "${dispatch.header}" header`);
  } else {
    parsed = parseJson(message.value);
    if (!parsed.ok) return fail(notJson(headers));
    const field = dispatch.field;
    const value = isObject(parsed.body) ? parsed.body[field] : undefined;
    if (typeof value !== 'string') return fail(`the command has no string field "${field}"`);
    name = value;
  }
  const tag = name;
  const selected = spec.commands.find((command) => (command.tag ?? command.name) === tag);
  if (selected === undefined) return fail(`"${tag}" is not a command of ${spec.commandTopic}`);
  name = selected.name;

  let body: unknown;
  if (selected.body === 'bytes') {
    body = message.value ?? Buffer.alloc(0);
  } else {
    parsed ??= parseJson(message.value);
    if (!parsed.ok) return fail(notJson(headers));
    body = parsed.body;
    // An empty value (a DELETE's) has no body to check, as in the gateway.
    const problem = body === undefined ? undefined : checks.get(name)?.(body);
    if (problem !== undefined) return fail(`the ${name} command is invalid: ${problem}`);
  }

  return {
    ok: true,
    command: {
      name,
      key,
      body,
      headers,
      partition,
      offset: message.offset,
      timestamp: Number(message.timestamp),
    },
  };
}

/** Every header as UTF-8, the first value of a repeated name. */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const first = Array.isArray(raw) ? raw[0] : raw;
    if (first !== undefined) decoded[name] = first.toString();
  }
  return decoded;
}

function parseJson(value: Buffer | null): Parsed {
  const text = value?.toString('utf8') ?? '';
  if (text === '') return { ok: true, body: undefined };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Why a value did not parse: a record whose `content-type` is not JSON (an XML body of an
 * operation that also takes JSON, say) says so, for a command whose message is JSON.
 */
function notJson(headers: Readonly<Record<string, string>>): string {
  const type = headers['content-type'];
  return type === undefined || isJsonMediaType(type)
    ? 'the command value is not JSON'
    : `the command value is ${type}, not JSON`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
