// "3 minutes ago" (hovers, the tree) and "3m ago" (inlay hints): one rounding, so the tree and the hover agree.
const UNITS: [number, string, string][] = [
  [86_400_000, 'day', 'd'],
  [3_600_000, 'hour', 'h'],
  [60_000, 'minute', 'm'],
  [1_000, 'second', 's'],
];

export function timeAgo(iso: string, now: number, short = false): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const elapsed = Math.max(0, now - then);
  for (const [ms, long, abbreviation] of UNITS) {
    if (elapsed >= ms) {
      const n = Math.floor(elapsed / ms);
      return short ? `${n}${abbreviation} ago` : `${n} ${long}${n === 1 ? '' : 's'} ago`;
    }
  }
  return 'just now';
}
