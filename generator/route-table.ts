/** The table `specgate validate` prints: method path → kind → topic, key, reply topic. */
import type { KeySource, Route } from './ir/types.ts';

export function formatRouteTable(routes: readonly Route[]): string {
  if (routes.length === 0) return 'No routes bound.\n';
  const rows = routes.map((route) => [
    route.http.method.toUpperCase(),
    route.http.path,
    kindLabel(route),
    route.topic.address,
    keyLabel(route.key),
    route.kind === 'command' ? (route.reply?.address ?? '-') : '-',
  ]);
  const header = ['METHOD', 'PATH', 'KIND', 'TOPIC', 'KEY', 'REPLY'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function kindLabel(route: Route): string {
  switch (route.kind) {
    case 'command':
      return route.reply
        ? 'command (request-reply)'
        : route.tombstone
          ? 'command (tombstone)'
          : 'command (one-way)';
    case 'query':
      return `query (${route.mode})${route.alsoStream ? ' + stream' : ''}`;
    case 'stream':
      return 'stream';
    case 'history':
      return 'history';
  }
}

function keyLabel(key: KeySource): string {
  switch (key.kind) {
    case 'template':
      return key.template;
    case 'const':
      return JSON.stringify(key.value);
    case 'path':
      return `{${key.param}}`;
    case 'idempotency-key':
      return 'Idempotency-Key';
    case 'none':
      return '-';
  }
}
