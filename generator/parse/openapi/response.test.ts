import { describe, expect, it } from 'vitest';
import { compareStatus, normaliseStatus } from './response.ts';

describe('response statuses', () => {
  it.each([
    ['200', '200'],
    ['2xx', '2XX'],
    ['5XX', '5XX'],
    ['default', 'default'],
    ['600', undefined],
    ['20', undefined],
    ['Default', undefined],
  ])('%s → %s', (written, status) => {
    expect(normaliseStatus(written)).toBe(status);
  });

  it('sorts numeric codes, then ranges, then default', () => {
    const sorted = ['default', '4XX', '404', '2XX', '201', '200', '500']
      .map((status) => ({ status }))
      .sort(compareStatus)
      .map((r) => r.status);
    expect(sorted).toEqual(['200', '201', '404', '500', '2XX', '4XX', 'default']);
  });
});
