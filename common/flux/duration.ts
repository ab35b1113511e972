// Go durations: the CRD's patterns for `interval`/`timeout`, Go's time.ParseDuration, and Duration.String(),
// which the controller uses in its event messages ("next scan in 4m32.876543211s").
import type { ImageRepositorySpec } from '../model';

/** `spec.interval` (image-reflector-controller api/v1/imagerepository_types.go, the kubebuilder pattern). */
export const INTERVAL_PATTERN = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
/** `spec.timeout`: the same without `h`. */
export const TIMEOUT_PATTERN = /^([0-9]+(\.[0-9]+)?(ms|s|m))+$/;

const NS_PER: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5
  'μs': 1_000n, // U+03BC
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_NS = (1n << 63n) - 1n;

/** Go's time.ParseDuration in nanoseconds, or undefined where Go returns an error. */
export function parseGoDurationNs(s: string): bigint | undefined {
  let rest = s;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/.exec(rest);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    // Like Go, the whole run of non-digits must be one unit: `1sx` is an error, not `1s` then garbage.
    const unit = NS_PER[m[3]];
    if (unit === undefined) return undefined;
    const whole = BigInt(m[1] || '0') * unit;
    const fraction = m[2] ?? '';
    // Go keeps only the precision that fits; truncation toward zero matches its float-free arithmetic.
    const fractionNs = fraction === '' ? 0n : (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    total += whole + fractionNs;
    if (total > MAX_NS) return undefined;
    rest = rest.slice(m[0].length);
  }
  return negative ? -total : total;
}

/** Go's time.ParseDuration in milliseconds (fractional below 1 ms), or undefined where Go errors. */
export function parseGoDuration(s: string): number | undefined {
  const ns = parseGoDurationNs(s);
  return ns === undefined ? undefined : Number(ns) / 1e6;
}

/** Go's Duration.String(): `5m0s`, `1h0m0s`, `1m30s`, `1.5s`, `500ms`, `0s`. */
export function formatGoDuration(ms: number): string {
  return formatGoDurationNs(BigInt(Math.round(ms * 1e6)));
}

export function formatGoDurationNs(d: bigint): string {
  if (d === 0n) return '0s';
  const negative = d < 0n;
  let u = negative ? -d : d;
  let out: string;
  if (u < 1_000_000_000n) {
    const [unit, prec] = u < 1_000n ? ['ns', 0] : u < 1_000_000n ? ['µs', 3] : ['ms', 6];
    out = fmtFraction(u, prec as number) + unit;
  } else {
    const seconds = fmtFraction(u, 9);
    u /= 1_000_000_000n;
    out = `${u % 60n}${seconds}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m` + out;
      u /= 60n;
      if (u > 0n) out = `${u}h` + out;
    }
  }
  return (negative ? '-' : '') + out;
}

/** Go's fmtFrac + fmtInt for the sub-second units: integer part plus the fraction without trailing zeros. */
function fmtFraction(v: bigint, prec: number): string {
  const scale = 10n ** BigInt(prec);
  const fraction = (v % scale).toString().padStart(prec, '0').replace(/0+$/, '');
  return prec === 9 ? (fraction ? `.${fraction}` : '') : `${v / scale}${fraction ? `.${fraction}` : ''}`;
}

/** `spec.interval` in ms; an unparsable interval counts as 0 (always due), as it never reaches a real controller. */
export function getIntervalMs(spec: Pick<ImageRepositorySpec, 'interval'>): number {
  return Math.max(0, parseGoDuration(spec.interval ?? '') ?? 0);
}

/** The controller's GetTimeout(): `timeout`, else `interval`, never below 1s. */
export function getTimeoutMs(spec: Pick<ImageRepositorySpec, 'interval' | 'timeout'>): number {
  const timeout = spec.timeout !== undefined ? parseGoDuration(spec.timeout) : undefined;
  const duration = timeout ?? getIntervalMs(spec);
  return Math.max(1000, duration);
}
