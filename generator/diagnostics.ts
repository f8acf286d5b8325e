/**
 * Generator diagnostics: every problem found by load, parse and bind, with a stable code, a
 * severity and a place. All of them are collected and reported at once (style.md §16).
 */
import type { SpecLocation } from './ir/types.ts';
import { diagnosticCodes, type DiagnosticCode } from './diagnostic-codes.ts';

export type Severity = 'error' | 'warning' | 'notice';

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** Absent only for problems that belong to no file (a missing config, say). */
  readonly location?: SpecLocation;
}

/** Collects diagnostics; each code carries its default severity from diagnostic-codes.ts. */
export class Diagnostics {
  readonly #items: Diagnostic[] = [];

  report(
    code: DiagnosticCode,
    message: string,
    location?: SpecLocation,
    severity?: Severity,
  ): void {
    const diagnostic: Diagnostic = {
      code,
      severity: severity ?? diagnosticCodes[code].severity,
      message,
      ...(location === undefined ? {} : { location }),
    };
    this.#items.push(diagnostic);
  }

  get items(): readonly Diagnostic[] {
    return sortDiagnostics(this.#items);
  }

  get hasErrors(): boolean {
    return this.#items.some((d) => d.severity === 'error');
  }
}

/** A stable order: by file, line, column, then code and message (code-unit compare). */
export function sortDiagnostics(items: readonly Diagnostic[]): Diagnostic[] {
  return [...items].sort(
    (a, b) =>
      compare(a.location?.file ?? '', b.location?.file ?? '') ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      (a.location?.column ?? 0) - (b.location?.column ?? 0) ||
      compare(a.code, b.code) ||
      compare(a.message, b.message),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
