/** RFC 7240 `Prefer`: `respond-async` and `wait=N`, the two preferences the gateway honours. */

export interface Preferences {
  readonly respondAsync: boolean;
  /** Seconds, when `wait=N` was asked for. */
  readonly wait?: number;
}

const noPreferences: Preferences = { respondAsync: false };

export function parsePrefer(header: string | readonly string[] | undefined): Preferences {
  // Most requests have no Prefer: nothing to split or allocate.
  if (header === undefined || header === '') return noPreferences;
  const text = typeof header === 'string' ? header : (header ?? []).join(',');
  let respondAsync = false;
  let wait: number | undefined;
  for (const raw of text.split(',')) {
    const [token = '', ...rest] = raw.split(';')[0]?.split('=') ?? [];
    const name = token.trim().toLowerCase();
    const value = rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (name === 'respond-async') respondAsync = true;
    else if (name === 'wait' && /^\d+$/.test(value)) wait = Number(value);
  }
  return wait === undefined ? { respondAsync } : { respondAsync, wait };
}

/** RFC 7240: a "wait" preference is a hint, capped by the server's own limit. */
export function waitMs(preferences: Preferences, capMs: number): number | undefined {
  return preferences.wait === undefined ? undefined : Math.min(preferences.wait * 1000, capMs);
}
