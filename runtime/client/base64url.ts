/** base64url (RFC 4648 §5), padded or not, to the UTF-8 text it encodes. */
export function decodeBase64Url(encoded: string): string {
  const base64 = encoded.trim().replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}
