/**
 * Reports what keeps a command topic from its generated service and that the spec can fix
 * (plan.ts): run with validation, so `specgate validate` says it too, at the message in the
 * AsyncAPI document rather than in a comment of the generated file.
 */
import type { Diagnostics } from '../../diagnostics.ts';
import type { Api } from '../../ir/types.ts';
import { planServices } from './plan.ts';

export function checkServices(api: Api, diagnostics: Diagnostics): void {
  for (const problem of planServices(api).problems) {
    diagnostics.report(problem.code, problem.message, problem.source);
  }
}
