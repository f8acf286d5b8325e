/** Machine formats for CI: JSON, SARIF 2.1.0 (code scanning) and GitHub workflow commands. */
import { relative } from 'node:path';
import { diagnosticCodes } from '../diagnostic-codes.ts';
import type { Diagnostic } from '../diagnostics.ts';

export function formatJson(
  diagnostics: readonly Diagnostic[],
  cwd: string = process.cwd(),
): string {
  const items = diagnostics.map((d) => ({
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.location
      ? {
          file: relative(cwd, d.location.file) || d.location.file,
          line: d.location.line,
          column: d.location.column,
          pointer: `#${d.location.pointer}`,
        }
      : {}),
  }));
  return `${JSON.stringify({ diagnostics: items }, null, 2)}\n`;
}

export function formatSarif(
  diagnostics: readonly Diagnostic[],
  cwd: string = process.cwd(),
): string {
  const used = [...new Set(diagnostics.map((d) => d.code))].sort();
  const level = { error: 'error', warning: 'warning', notice: 'note' } as const;
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'specgate',
            informationUri: 'https://github.com/specgate/specgate',
            rules: used.map((code) => ({
              id: code,
              shortDescription: { text: diagnosticCodes[code].summary },
              helpUri: `docs/diagnostics.md#${code.toLowerCase()}`,
            })),
          },
        },
        results: diagnostics.map((d) => ({
          ruleId: d.code,
          ruleIndex: used.indexOf(d.code),
          level: level[d.severity],
          message: { text: d.message },
          ...(d.location
            ? {
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: {
                        uri: toUri(relative(cwd, d.location.file) || d.location.file),
                      },
                      region: { startLine: d.location.line, startColumn: d.location.column },
                    },
                    logicalLocations: [{ fullyQualifiedName: `#${d.location.pointer}` }],
                  },
                ],
              }
            : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** `::error file=…,line=…,col=…,title=CODE::message`, escaped as the runner expects. */
export function formatGithub(
  diagnostics: readonly Diagnostic[],
  cwd: string = process.cwd(),
): string {
  const command = { error: 'error', warning: 'warning', notice: 'notice' } as const;
  return diagnostics
    .map((d) => {
      const props = [
        ...(d.location
          ? [
              `file=${escapeProperty(relative(cwd, d.location.file) || d.location.file)}`,
              `line=${d.location.line}`,
              `col=${d.location.column}`,
            ]
          : []),
        `title=${escapeProperty(d.code)}`,
      ];
      return `::${command[d.severity]} ${props.join(',')}::${escapeData(d.message)}\n`;
    })
    .join('');
}

function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

function toUri(path: string): string {
  return path.split(/[\\/]/).map(encodeURIComponent).join('/');
}
