/**
 * Key and header-override templates: `{id}`, `{idempotencyKey}`, `{identity}`, literal text,
 * and Zilla's forms `${params.id}`, `${idempotencyKey}`, `${guarded['jwt'].identity}`.
 */
import type { HttpOperation, KeyPart } from '../ir/types.ts';

export type TemplateResult = { parts: KeyPart[]; unknown: string[] };

const expression = /\$?\{([^{}]+)\}/g;

/** Splits a template into parts; names that match no parameter are returned in `unknown`. */
export function parseTemplate(template: string, http: HttpOperation): TemplateResult {
  const parts: KeyPart[] = [];
  const unknown: string[] = [];
  let last = 0;
  for (const match of template.matchAll(expression)) {
    if (match.index > last) parts.push({ kind: 'text', text: template.slice(last, match.index) });
    last = match.index + match[0].length;
    const part = resolveExpression((match[1] ?? '').trim(), http);
    if (part === undefined) unknown.push(match[0]);
    else parts.push(part);
  }
  if (last < template.length) parts.push({ kind: 'text', text: template.slice(last) });
  return { parts, unknown };
}

function resolveExpression(text: string, http: HttpOperation): KeyPart | undefined {
  if (text === 'idempotencyKey' || text === 'idempotency-key') return { kind: 'idempotency-key' };
  if (text === 'identity' || /^guarded\[['"][^'"]+['"]\]\.identity$/.test(text)) {
    return { kind: 'identity' };
  }
  const scoped = /^(params|path|query|headers|header)\.(.+)$/.exec(text);
  const name = scoped?.[2] ?? text;
  const scope = scoped?.[1];
  const wanted: readonly ('path' | 'query' | 'header')[] =
    scope === 'query'
      ? ['query']
      : scope === 'headers' || scope === 'header'
        ? ['header']
        : scope === 'path'
          ? ['path']
          : ['path', 'query', 'header'];
  for (const location of wanted) {
    const parameter = http.parameters.find(
      (p) =>
        p.in === location &&
        (location === 'header' ? p.name.toLowerCase() === name.toLowerCase() : p.name === name),
    );
    if (parameter !== undefined) return { kind: 'param', in: location, name: parameter.name };
  }
  return undefined;
}
