// How image-automation-controller v1.2.0 writes a marked value: its setter (internal/update/filter.go
// SetAllCallback.set) replaces the go-yaml v3 node's Value, calls kyaml v0.21.1 yaml.FormatNonStringStyle
// (yaml/compatibility.go) with the setter's `type: string` schema, and kyaml's writer encodes the node with
// go-yaml v3 (go.yaml.in/yaml/v3 v3.0.3 encode.go `(*encoder).node`, emitterc.go
// `yaml_emitter_select_scalar_style`). The old node keeps its style and its tag (the tag go-yaml resolved when it
// read the file), so the result depends on how the old value read and how the new one reads:
// - a new value that YAML 1.1 (go.yaml.in/yaml/v2 Unmarshal into interface{}) reads as no string — `1.0`, `10`,
//   `yes`, `0x1F` — becomes double-quoted, unless it was quoted already (a quoted value is never unquoted);
// - otherwise the old tag stays; when go-yaml v3 resolves the new plain value to another tag than the old one,
//   the encoder quotes it if the old tag was `!!str` (plain `latest` → `"2024-01-15"`, a v3 timestamp), or keeps
//   the old tag written out if it was not (`5` → `!!int latest`, as upstream does);
// - a plain date replaced by a date stays plain (both resolve to `!!timestamp`).
import { isAlias, isScalar, parseDocument } from 'yaml';
import { parseFloatGo } from '../policy/parseFloat';

export type ScalarStyle = 'plain' | 'single' | 'double' | 'literal' | 'folded';

/** The marked scalar as it stands in the file. */
export interface OldScalar {
  style: ScalarStyle;
  /** The scalar's value (for plain scalars, its source text). */
  value: string;
  /** An explicit tag written before it (`!!str`), in go-yaml's short form; go-yaml's TaggedStyle. */
  explicitTag?: string;
  /** Inside a flow mapping or sequence (`{…}`, `[…]`), where fewer plain scalars are allowed. */
  flow: boolean;
}

/** The scalar the automation writes: its value, style and the tag written before it ('' for none). */
export interface EncodedScalar {
  value: string;
  style: ScalarStyle;
  tag: string;
}

const STR = '!!str';
const NULL = '!!null';

// ---- Go's strconv, as resolve uses it -------------------------------------------------------------------------

const DIGITS: Record<number, RegExp> = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ };

/** strconv.ParseUint(s, base, 64) for base 0 (prefix-chosen), 2 and 8; undefined on any error. */
function parseUintGo(s: string, base: 0 | 2 | 8): bigint | undefined {
  let digits = s;
  let b: number = base;
  if (base === 0) {
    b = 10;
    if (s.length > 1 && s[0] === '0') {
      const p = s[1].toLowerCase();
      if (p === 'x') { b = 16; digits = s.slice(2); } else if (p === 'b') { b = 2; digits = s.slice(2); } else if (p === 'o') { b = 8; digits = s.slice(2); } else { b = 8; digits = s.slice(1); }
    }
  }
  if (!DIGITS[b].test(digits)) return undefined;
  const prefix = b === 16 ? '0x' : b === 8 ? '0o' : b === 2 ? '0b' : '';
  const value = BigInt(prefix + digits);
  return value <= 0xffff_ffff_ffff_ffffn ? value : undefined;
}

/** strconv.ParseInt(s, base, 64): a sign, then ParseUint, within int64. */
function parseIntGo(s: string, base: 0 | 2 | 8): bigint | undefined {
  const negative = s[0] === '-';
  const body = s[0] === '-' || s[0] === '+' ? s.slice(1) : s;
  const u = parseUintGo(body, base);
  if (u === undefined) return undefined;
  if (negative ? u > 1n << 63n : u >= 1n << 63n) return undefined;
  return negative ? -u : u;
}

/** go-yaml's parseTimestamp: four digits and `-`, then one of its allowedTimestampFormats (Go time.Parse). */
export function isYamlTimestamp(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(?:Z|[+-]\d{2}:\d{2})| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?)?$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return false;
  const daysIn = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysIn) return false;
  const [h, min, sec] = m[4] ? [m[5], m[6], m[7]] : m[8] ? [m[8], m[9], m[10]] : ['0', '0', '0'];
  return Number(h) < 24 && Number(min) < 60 && Number(sec) < 60;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const V2_BOOLS = ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'];
const V3_BOOLS = ['true', 'True', 'TRUE', 'false', 'False', 'FALSE'];
const NULLS = ['', '~', 'null', 'Null', 'NULL'];
const SPECIAL_FLOATS = ['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF'];

/**
 * go-yaml's resolve("", in) for a plain scalar: the short tag it reads (`!!str`, `!!int`, `!!float`, `!!bool`,
 * `!!null`, `!!timestamp`, `!!merge`). `version` 2 is go.yaml.in/yaml/v2 resolve.go (YAML 1.1 booleans such as
 * `yes` and `off`), 3 is go.yaml.in/yaml/v3 resolve.go (only true/false; `0o17` octal).
 */
export function resolvePlain(value: string, version: 2 | 3): string {
  const bools = version === 2 ? V2_BOOLS : V3_BOOLS;
  if (bools.includes(value)) return '!!bool';
  if (NULLS.includes(value)) return NULL;
  if (SPECIAL_FLOATS.includes(value)) return '!!float';
  if (value === '<<') return '!!merge';
  const c = value[0];
  if (c === '.') return parseFloatGo(value).ok ? '!!float' : STR;
  if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
    if (isYamlTimestamp(value)) return '!!timestamp';
    const plain = value.replace(/_/g, '');
    if (parseIntGo(plain, 0) !== undefined || parseUintGo(plain, 0) !== undefined) return '!!int';
    if (YAML_STYLE_FLOAT.test(plain) && parseFloatGo(plain).ok) return '!!float';
    if (plain.startsWith('0b') && (parseIntGo(plain.slice(2), 2) !== undefined || parseUintGo(plain.slice(2), 2) !== undefined)) return '!!int';
    if (plain.startsWith('-0b') && parseIntGo('-' + plain.slice(3), 2) !== undefined) return '!!int';
    if (version === 3) {
      if (plain.startsWith('0o') && (parseIntGo(plain.slice(2), 8) !== undefined || parseUintGo(plain.slice(2), 8) !== undefined)) return '!!int';
      if (plain.startsWith('-0o') && parseIntGo('-' + plain.slice(3), 8) !== undefined) return '!!int';
    }
  }
  return STR;
}

/**
 * kyaml yaml.IsValueNonString: whether `value`, read as a whole YAML 1.1 document (go.yaml.in/yaml/v2 Unmarshal
 * into interface{}), gives anything but a string. Timestamps stay strings there (v2 decode.go keeps them as
 * text for interface{}), a document with no value gives nil (so: not a string), a document v2 rejects: false.
 */
export function isValueNonString(value: string): boolean {
  if (value === '' || value.includes('\n')) return false;
  const doc = parseDocument(value, { version: '1.1', uniqueKeys: false });
  if (doc.errors.length > 0) return false;
  const node = doc.contents;
  if (node === null || node === undefined) return true;
  // v2 fails on an alias to an anchor the value does not define; a mapping or sequence is no string.
  if (isAlias(node)) return false;
  if (!isScalar(node)) return true;
  if (node.type !== 'PLAIN') {
    if (!node.tag) return false;
  }
  const text = typeof node.source === 'string' ? node.source : String(node.value);
  if (node.tag) {
    const tag = node.tag.replace(/^tag:yaml.org,2002:/, '!!');
    if (tag === STR || !['!!bool', '!!int', '!!float', NULL, '!!timestamp'].includes(tag)) return false;
    return tag !== '!!timestamp';
  }
  const tag = resolvePlain(text, 2);
  return tag !== STR && tag !== '!!timestamp' && tag !== '!!merge';
}

// ---- the emitter's choice of style (libyaml emitterc.go yaml_emitter_analyze_scalar) --------------------------

/** Whether the emitter may write `value` plain (in flow or block context), and single-quoted. */
function analyzeScalar(value: string): { flowPlain: boolean; blockPlain: boolean; singleQuoted: boolean } {
  if (value === '') return { flowPlain: false, blockPlain: true, singleQuoted: true };
  if (value.startsWith('---') || value.startsWith('...')) return { flowPlain: false, blockPlain: false, singleQuoted: true };
  let flowIndicators = false;
  let blockIndicators = false;
  let special = false;
  let spaceBreak = false;
  const chars = [...value];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    const next = chars[i + 1];
    const followedByWhitespace = next === undefined || next === ' ' || next === '\t' || next === '\n';
    const precededByWhitespace = i === 0 || chars[i - 1] === ' ' || chars[i - 1] === '\t';
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) { flowIndicators = true; blockIndicators = true; }
      if (c === '?' || c === ':') { flowIndicators = true; if (followedByWhitespace) blockIndicators = true; }
      if (c === '-' && followedByWhitespace) { flowIndicators = true; blockIndicators = true; }
    } else {
      if (',?[]{}'.includes(c)) flowIndicators = true;
      if (c === ':') { flowIndicators = true; if (followedByWhitespace) blockIndicators = true; }
      if (c === '#' && precededByWhitespace) { flowIndicators = true; blockIndicators = true; }
    }
    const code = c.codePointAt(0)!;
    if (code < 0x20 && c !== '\t' && c !== '\n') special = true;
    if ((c === ' ' || c === '\t') && (i === 0 || i === chars.length - 1)) spaceBreak = true;
  }
  if (special) return { flowPlain: false, blockPlain: false, singleQuoted: false };
  const plainOk = !spaceBreak;
  return { flowPlain: plainOk && !flowIndicators, blockPlain: plainOk && !blockIndicators, singleQuoted: true };
}

/**
 * The scalar the automation writes when its setter puts `newValue` into `old`: kyaml FormatNonStringStyle, then
 * go-yaml v3's `(*encoder).node` tag and style choice, then the emitter's fallback from plain to single-quoted
 * (a value plain YAML cannot carry there) and from single- to double-quoted (control characters).
 */
export function encodeSetterValue(old: OldScalar, newValue: string): EncodedScalar {
  // The node as go-yaml v3's parser left it (parser.go `node`): an explicit tag, else !!str for quoted and
  // block scalars, else the tag its plain value resolves to.
  let tagged = old.explicitTag !== undefined;
  let tag = old.explicitTag ?? (old.style === 'plain' ? resolvePlain(old.value, 3) : STR);
  let style: ScalarStyle = old.style;
  // kyaml yaml.FormatNonStringStyle with the setter's `type: string` schema.
  if (isValueNonString(newValue)) {
    if (style !== 'double' && style !== 'single') {
      style = 'double';
      tagged = false;
    }
    if (tag === NULL) {
      style = 'plain';
      tagged = false;
    } else {
      tag = STR;
    }
  }
  // go-yaml v3 (*encoder).node: drop a tag the value implies anyway; a !!str value that would read as something
  // else is quoted.
  let forceQuoting = false;
  if (!tagged) {
    if (tag === STR && style !== 'plain') {
      tag = '';
    } else {
      const rtag = resolvePlain(newValue, 3);
      if (rtag === tag) tag = '';
      else if (tag === STR) { tag = ''; forceQuoting = true; }
    }
  }
  if (style === 'plain' && newValue.includes('\n')) style = 'literal';
  else if (style === 'plain' && forceQuoting) style = 'double';
  // yaml_emitter_select_scalar_style
  const analysis = analyzeScalar(newValue);
  if (style === 'plain') {
    if ((old.flow && !analysis.flowPlain) || (!old.flow && !analysis.blockPlain) || (newValue === '' && old.flow)) style = 'single';
  }
  if (style === 'single' && !analysis.singleQuoted) style = 'double';
  return { value: newValue, style, tag };
}

/** A scalar's text in a style (without any block-scalar header's indentation, which the caller knows). */
export function scalarText(encoded: EncodedScalar, blockIndent = '  '): string {
  const { value, style, tag } = encoded;
  let text: string;
  switch (style) {
    case 'double':
      text = JSON.stringify(value);
      break;
    case 'single':
      text = `'${value.replace(/'/g, "''")}'`;
      break;
    case 'literal':
    case 'folded': {
      const chomp = value.endsWith('\n') ? '' : '-';
      text = `${style === 'literal' ? '|' : '>'}${chomp}\n${value.replace(/\n$/, '').split('\n').map((l) => blockIndent + l).join('\n')}\n`;
      break;
    }
    default:
      text = value;
  }
  return tag ? `${tag} ${text}` : text;
}
