// Tag ordering and the revision checksum of the controller's storage (image-reflector-controller
// imagerepository_controller.go `sortTagsAndGetLatestTags`, internal/database/badger.go `SetTags`).

export const MAX_LATEST_TAGS = 10;

/**
 * Descending byte order (`-strings.Compare`), stable. Code-unit comparison equals byte order for the ASCII
 * tags registries allow; `localeCompare` would not (it puts `V2` next to `v1`).
 */
export function sortTagsDescending(tags: readonly string[]): string[] {
  return [...tags].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

/** `sortTagsAndGetLatestTags`: the sorted list and its first ten, `undefined` (omitted) when empty. */
export function sortTagsAndGetLatestTags(tags: readonly string[]): { sorted: string[]; latestTags: string[] | undefined } {
  const sorted = sortTagsDescending(tags);
  return { sorted, latestTags: sorted.length === 0 ? undefined : sorted.slice(0, MAX_LATEST_TAGS) };
}

/**
 * Go's `json.Marshal([]string)`: compact, with Go's HTML-safe escaping of `<`, `>`, `&` and the JavaScript
 * line terminators U+2028/U+2029. Control characters match JSON.stringify since Go 1.22 (`\b`, `\f`).
 */
export function goJsonMarshalStrings(values: readonly string[]): string {
  return JSON.stringify(values)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const ADLER_MOD = 65521;
/** zlib's NMAX: the longest run of bytes before the sums must be reduced. */
const ADLER_CHUNK = 5552;

export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(i + ADLER_CHUNK, bytes.length);
    for (; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= ADLER_MOD;
    b %= ADLER_MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/** Badger's checksum: decimal Adler-32 of the compact JSON of the stored (sorted, filtered) list. */
export function tagsRevision(sortedTags: readonly string[]): string {
  return String(adler32(Buffer.from(goJsonMarshalStrings(sortedTags), 'utf8')));
}
