import { describe, expect, it } from 'vitest';
import { decodeBase64Url } from './base64url.ts';

describe('decodeBase64Url', () => {
  it.each(['task-1', 'tâsk/ü?~', '', 'ab', 'abc', '日本'])('decodes %j padded or not', (key) => {
    const encoded = Buffer.from(key, 'utf8').toString('base64url');
    expect(decodeBase64Url(encoded)).toBe(key);
    expect(decodeBase64Url(encoded + '='.repeat((4 - (encoded.length % 4)) % 4))).toBe(key);
  });
});
