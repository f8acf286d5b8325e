/** What a query remembers of its last 200: enough to answer a 304. */
export interface CachedAnswer {
  readonly etag: string;
  readonly data: unknown;
}

/**
 * The last answer per request, least recently used dropped first. Keyed by the full URL and
 * the `Authorization` sent: two identities may see the same view version (one ETag) but
 * different, filtered data (design.md §5).
 */
export class QueryCache {
  readonly #entries = new Map<string, CachedAnswer>();
  readonly #limit: number;

  constructor(limit = 200) {
    this.#limit = limit;
  }

  static key(url: string, headers: Headers): string {
    return `${url}\n${headers.get('authorization') ?? ''}`;
  }

  get(key: string): CachedAnswer | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: CachedAnswer): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#limit) break;
      this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
