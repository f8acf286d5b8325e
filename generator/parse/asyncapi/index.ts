/**
 * An AsyncAPI 2.0–2.6 or 3.0 document → {@link KafkaApi}.
 *
 * 1. Load the file and read its declared version.
 * 2. Find the `$ref`s that lead off the machine (remote) or to unreadable files.
 * 3. Validate with @asyncapi/parser (validate.ts); its errors stop here, with no IR.
 * 4. Walk the raw documents (not the parser's dereferenced copy), so every IR node keeps the
 *    file and pointer it was written at and every `$ref`'d schema keeps its name.
 */
import { resolve } from 'node:path';
import type { KafkaApi } from '../../ir/types.ts';
import { isRecord } from '../../load/pointer.ts';
import { parseChannelsV2, parseChannelsV3 } from './channels.ts';
import { AsyncApiContext, child, stringAt, type AsyncApiRun } from './context.ts';
import { findExternalRefs, reportExternalRefs } from './external-refs.ts';
import { MessageTable } from './messages.ts';
import { parseOperationsV3 } from './operations.ts';
import { parseComponentSchemas } from './schemas.ts';
import { parseServers } from './servers.ts';
import { validateAsyncApi } from './validate.ts';
import { detectVersion, type SpecVersion } from './version.ts';

/**
 * Parses the AsyncAPI document `file` into the IR, registering its named schemas in
 * `run.registry`. Undefined when the document cannot be read, is not a supported AsyncAPI
 * version, or fails validation; every problem is in `run.diagnostics`.
 */
export async function parseAsyncApi(run: AsyncApiRun, file: string): Promise<KafkaApi | undefined> {
  const path = resolve(file);
  const document = run.documents.load(path);
  if (document === undefined) return undefined;
  const version = detectVersion(run, path, document.data);
  if (version === undefined) return undefined;
  const external = findExternalRefs(run.documents, path, document.data);
  const valid = await validateAsyncApi(run, path, document.text, external);
  const api = valid ? buildKafkaApi(run, path, document.data, version) : undefined;
  reportExternalRefs(run, external);
  return api;
}

function buildKafkaApi(
  run: AsyncApiRun,
  file: string,
  data: unknown,
  version: SpecVersion,
): KafkaApi {
  const ctx = new AsyncApiContext(run, { value: data, file, pointer: '' }, version.major);
  // Components first, so each keeps its own name (and id) when the rest refers to it.
  parseComponentSchemas(ctx);
  const messages = new MessageTable(ctx);
  messages.addComponents();
  const servers = parseServers(ctx);
  let parsed: Pick<KafkaApi, 'channels' | 'operations'>;
  if (version.major === 2) {
    parsed = parseChannelsV2(ctx, messages, servers);
  } else {
    const channels = parseChannelsV3(ctx, messages, servers);
    parsed = {
      channels: channels.channels,
      operations: parseOperationsV3(ctx, channels, messages),
    };
  }
  const info = child(ctx.root, 'info');
  return {
    file,
    specVersion: version.text,
    title: stringAt(child(info, 'title')) ?? '',
    version: isRecord(info.value) ? String(info.value.version ?? '') : '',
    servers,
    channels: parsed.channels,
    messages: messages.all(),
    operations: parsed.operations,
    source: ctx.locate(ctx.root),
  };
}
