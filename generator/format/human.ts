/** The human format: `file:line:col  severity  CODE  message  (#pointer)` and a code frame. */
import { relative } from 'node:path';
import type { Diagnostic } from '../diagnostics.ts';

export function formatHuman(
  diagnostics: readonly Diagnostic[],
  textOf: (file: string) => string | undefined,
  cwd: string = process.cwd(),
): string {
  const blocks = diagnostics.map((d) => {
    const where = d.location
      ? `${relative(cwd, d.location.file) || d.location.file}:${d.location.line}:${d.location.column}`
      : '(no file)';
    const pointer = d.location && d.location.pointer !== '' ? `  (#${d.location.pointer})` : '';
    const head = `${where}  ${d.severity}  ${d.code}  ${d.message}${pointer}`;
    const text = d.location ? textOf(d.location.file) : undefined;
    return d.location && text !== undefined
      ? `${head}\n${codeFrame(text, d.location.line, d.location.column)}`
      : head;
  });
  const counts = summary(diagnostics);
  return blocks.length === 0 ? `${counts}\n` : `${blocks.join('\n\n')}\n\n${counts}\n`;
}

/** Two lines of context either side and a caret under the column. */
export function codeFrame(text: string, line: number, column: number): string {
  const lines = text.split(/\r?\n/);
  const first = Math.max(1, line - 2);
  const last = Math.min(lines.length, line + 2);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const content = (lines[n - 1] ?? '').slice(0, 160);
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${content}`);
    if (n === line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}^`);
  }
  return out.join('\n');
}

export function summary(diagnostics: readonly Diagnostic[]): string {
  const count = (severity: Diagnostic['severity']): number =>
    diagnostics.filter((d) => d.severity === severity).length;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('notice'), 'notice')}`;
}
