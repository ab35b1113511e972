// Go's strconv.ParseFloat(s, 64), which image-reflector-controller's numerical policy runs on every tag.
// Its syntax is Go's float literal syntax, not JavaScript's: `1e3`, `+7`, `.5`, `Inf`, `-Infinity`, `NaN`
// (any case), hexadecimal floats with a mandatory binary exponent (`0x1p4`), and `_` between digits
// (`1_000`, `0x_1p4`); `0x10` (no `p` exponent), `+NaN`, ` 1` and `1__0` are syntax errors, and a value beyond
// float64 is ±Inf *with* an error. Follows go/src/internal/strconv/atof.go (special, readFloat, atofHex,
// ParseFloat) and atoi.go (underscoreOK).
import { goQuote } from './goQuote';

export type GoParseFloatResult = { ok: true; value: number } | { ok: false; value: number; error: string };

const FN = 'strconv.ParseFloat';

function lower(c: number): number {
  return c | 0x20;
}

function commonPrefixLenIgnoreCase(s: string, from: number, prefix: string): number {
  const n = Math.min(prefix.length, s.length - from);
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(from + i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== prefix.charCodeAt(i)) return i;
  }
  return n;
}

/** special(): a possibly signed `inf`/`infinity`, or an unsigned `nan`, as a prefix of s. */
function special(s: string): { value: number; n: number } | undefined {
  if (s.length === 0) return undefined;
  const c = s[0];
  if (c === '+' || c === '-' || c === 'i' || c === 'I') {
    const signed = c === '+' || c === '-';
    const sign = c === '-' ? -1 : 1;
    let n = commonPrefixLenIgnoreCase(s, signed ? 1 : 0, 'infinity');
    if (n > 3 && n < 8) n = 3;
    if (n === 3 || n === 8) return { value: sign * Infinity, n: (signed ? 1 : 0) + n };
    return undefined;
  }
  if ((c === 'n' || c === 'N') && commonPrefixLenIgnoreCase(s, 0, 'nan') === 3) return { value: NaN, n: 3 };
  return undefined;
}

/** underscoreOK(): `_` only between digits (a base prefix counts as a digit). */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && (lower(s.charCodeAt(1)) === 0x62 || lower(s.charCodeAt(1)) === 0x6f || lower(s.charCodeAt(1)) === 0x78)) {
    i = 2;
    saw = '0';
    hex = lower(s.charCodeAt(1)) === 0x78;
  }
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || (hex && lower(c) >= 0x61 && lower(c) <= 0x66)) {
      saw = '0';
      continue;
    }
    if (c === 0x5f) {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

interface ReadFloat {
  mantissa: bigint;
  exp: number;
  neg: boolean;
  trunc: boolean;
  hex: boolean;
  n: number;
  ok: boolean;
}

/** readFloat(): the decimal or hexadecimal mantissa and exponent at the start of s, and how much it used. */
function readFloat(s: string): ReadFloat {
  const r: ReadFloat = { mantissa: 0n, exp: 0, neg: false, trunc: false, hex: false, n: 0, ok: false };
  let underscores = false;
  let i = 0;
  if (i >= s.length) return r;
  if (s[i] === '+') i++;
  else if (s[i] === '-') {
    i++;
    r.neg = true;
  }
  let base = 10n;
  let maxMantDigits = 19;
  let expChar = 0x65; // 'e'
  if (i + 2 < s.length && s[i] === '0' && lower(s.charCodeAt(i + 1)) === 0x78) {
    base = 16n;
    maxMantDigits = 16;
    i += 2;
    expChar = 0x70; // 'p'
    r.hex = true;
  }
  let sawdot = false;
  let sawdigits = false;
  let nd = 0;
  let ndMant = 0;
  let dp = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5f) {
      underscores = true;
      continue;
    }
    if (c === 0x2e) {
      if (sawdot) break;
      sawdot = true;
      dp = nd;
      continue;
    }
    if (c >= 0x30 && c <= 0x39) {
      sawdigits = true;
      if (c === 0x30 && nd === 0) {
        dp--;
        continue;
      }
      nd++;
      if (ndMant < maxMantDigits) {
        r.mantissa = r.mantissa * base + BigInt(c - 0x30);
        ndMant++;
      } else if (c !== 0x30) {
        r.trunc = true;
      }
      continue;
    }
    if (base === 16n && lower(c) >= 0x61 && lower(c) <= 0x66) {
      sawdigits = true;
      nd++;
      if (ndMant < maxMantDigits) {
        r.mantissa = r.mantissa * 16n + BigInt(lower(c) - 0x61 + 10);
        ndMant++;
      } else {
        r.trunc = true;
      }
      continue;
    }
    break;
  }
  r.n = i;
  if (!sawdigits) return r;
  if (!sawdot) dp = nd;
  if (base === 16n) {
    dp *= 4;
    ndMant *= 4;
  }
  if (i < s.length && lower(s.charCodeAt(i)) === expChar) {
    i++;
    r.n = i;
    if (i >= s.length) return r;
    let esign = 1;
    if (s[i] === '+') i++;
    else if (s[i] === '-') {
      i++;
      esign = -1;
    }
    r.n = i;
    if (i >= s.length || s.charCodeAt(i) < 0x30 || s.charCodeAt(i) > 0x39) return r;
    let e = 0;
    for (; i < s.length && ((s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) || s[i] === '_'); i++) {
      if (s[i] === '_') {
        underscores = true;
        continue;
      }
      if (e < 10000) e = e * 10 + s.charCodeAt(i) - 0x30;
    }
    dp += e * esign;
  } else if (base === 16n) {
    r.n = i;
    return r;
  }
  r.n = i;
  if (r.mantissa !== 0n) r.exp = dp - ndMant;
  if (underscores && !underscoreOK(s.slice(0, i))) return r;
  r.ok = true;
  return r;
}

const MANTBITS = 52n;
const EXPBITS = 11;
const BIAS = -1023;

/** atofHex() for float64: mantissa·2^exp rounded to nearest even; beyond the largest float64 it is ±Inf and a range error. */
function atofHex(mantissaIn: bigint, expIn: number, neg: boolean, trunc: boolean): { value: number; range: boolean } {
  const maxExp = (1 << EXPBITS) + BIAS - 2;
  const minExp = BIAS + 1;
  let mantissa = mantissaIn;
  let exp = expIn + Number(MANTBITS);
  while (mantissa !== 0n && mantissa >> (MANTBITS + 2n) === 0n) {
    mantissa <<= 1n;
    exp--;
  }
  if (trunc) mantissa |= 1n;
  while (mantissa >> (1n + MANTBITS + 2n) !== 0n) {
    mantissa = (mantissa >> 1n) | (mantissa & 1n);
    exp++;
  }
  while (mantissa > 1n && exp < minExp - 2) {
    mantissa = (mantissa >> 1n) | (mantissa & 1n);
    exp++;
  }
  let round = mantissa & 3n;
  mantissa >>= 2n;
  round |= mantissa & 1n;
  exp += 2;
  if (round === 3n) {
    mantissa++;
    if (mantissa === 1n << (1n + MANTBITS)) {
      mantissa >>= 1n;
      exp++;
    }
  }
  if (mantissa >> MANTBITS === 0n) exp = BIAS;
  let range = false;
  if (exp > maxExp) {
    mantissa = 1n << MANTBITS;
    exp = maxExp + 1;
    range = true;
  }
  let bits = mantissa & ((1n << MANTBITS) - 1n);
  bits |= BigInt((exp - BIAS) & ((1 << EXPBITS) - 1)) << MANTBITS;
  if (neg) bits |= 1n << 63n;
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return { value: view.getFloat64(0), range };
}

function syntaxError(s: string): GoParseFloatResult {
  return { ok: false, value: 0, error: `${FN}: parsing ${goQuote(s)}: invalid syntax` };
}

/**
 * strconv.ParseFloat(s, 64) from Go (go/src/internal/strconv/atof.go ParseFloat/atof64).
 * Returns the float64 value, or Go's error text: `strconv.ParseFloat: parsing "x": invalid syntax` (value 0), or
 * `strconv.ParseFloat: parsing "1e400": value out of range` (value ±Infinity, as Go returns it). Decimal values
 * are rounded by JavaScript's Number(), which is correctly rounded as Go's Eisel-Lemire path is.
 */
export function parseFloatGo(s: string): GoParseFloatResult {
  const sp = special(s);
  if (sp) return sp.n === s.length ? { ok: true, value: sp.value } : syntaxError(s);
  const r = readFloat(s);
  if (!r.ok || r.n !== s.length) return syntaxError(s);
  let value: number;
  let range: boolean;
  if (r.hex) {
    ({ value, range } = atofHex(r.mantissa, r.exp, r.neg, r.trunc));
  } else {
    value = Number(s.includes('_') ? s.replace(/_/g, '') : s);
    range = !Number.isFinite(value);
  }
  if (range) return { ok: false, value, error: `${FN}: parsing ${goQuote(s)}: value out of range` };
  return { ok: true, value };
}
