// "3 minutes ago" for scan times, like the hover and kubectl's AGE column.
export function timeAgo(iso: string, now = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 45) return 'just now';
  const units: [number, string][] = [[86400, 'day'], [3600, 'hour'], [60, 'minute']];
  for (const [size, name] of units) {
    const n = Math.round(s / size);
    if (n >= 1 && s >= size * 0.75) return `${n} ${name}${n === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}
