import { RE2JS, RE2JSSyntaxException } from 're2js';
import { errorMessage } from '../errors';

// Where re2js (a port of an older Go regexp/syntax) and Go 1.26's regexp/syntax — the one the controller is built
// with — disagree, `toRe2js` rewrites a pattern so that re2js accepts and rejects exactly what Go does, without
// changing what it matches; `goSyntaxError` turns re2js' error into Go's text about the pattern as written.
// - Unicode class names are looked up by a canonical form: ASCII case, `_`, `-` and spaces do not matter
//   (`\p{greek}`, `\pl`), and unicode.CategoryAliases are accepted (`\p{Letter}`); re2js wants exact names.
// - A capture group name may be used twice (`(?P<x>a)(?P<x>b)`); re2js refuses duplicates.
// - In a class, `[:` starts a POSIX class only if a `:]` follows *after* it (`[[:]` is the characters `[` and
//   `:`); re2js also takes the `:]` that overlaps it.
// - `(?P<` and `(?<` at the very end are "invalid or unsupported Perl syntax" (`(?P`, `(?<`) in Go.
// Upstream: go/src/regexp/syntax/parse.go (canonicalName, unicodeTable, parsePerlFlags, parseClass,
// parseNamedClass), go/src/unicode/tables.go (CategoryAliases).

/** unicode.CategoryAliases (Go 1.26), keyed by canonicalName(alias). */
const CATEGORY_ALIASES: Record<string, string> = Object.fromEntries(Object.entries({
  Cased_Letter: 'LC', Close_Punctuation: 'Pe', Combining_Mark: 'M', Connector_Punctuation: 'Pc', Control: 'Cc',
  Currency_Symbol: 'Sc', Dash_Punctuation: 'Pd', Decimal_Number: 'Nd', Enclosing_Mark: 'Me', Final_Punctuation: 'Pf',
  Format: 'Cf', Initial_Punctuation: 'Pi', Letter: 'L', Letter_Number: 'Nl', Line_Separator: 'Zl', Lowercase_Letter: 'Ll',
  Mark: 'M', Math_Symbol: 'Sm', Modifier_Letter: 'Lm', Modifier_Symbol: 'Sk', Nonspacing_Mark: 'Mn', Number: 'N',
  Open_Punctuation: 'Ps', Other: 'C', Other_Letter: 'Lo', Other_Number: 'No', Other_Punctuation: 'Po', Other_Symbol: 'So',
  Paragraph_Separator: 'Zp', Private_Use: 'Co', Punctuation: 'P', Separator: 'Z', Space_Separator: 'Zs', Spacing_Mark: 'Mc',
  Surrogate: 'Cs', Symbol: 'S', Titlecase_Letter: 'Lt', Unassigned: 'Cn', Uppercase_Letter: 'Lu', cntrl: 'Cc', digit: 'Nd',
  punct: 'P',
}).map(([alias, actual]) => [canonicalName(alias), actual]));

/** Go's canonicalName: first ASCII letter upper case, the rest lower case, `_`, `-` and ` ` dropped. */
function canonicalName(name: string): string {
  let out = '';
  let first = true;
  for (const c of name) {
    if (c === '_' || c === '-' || c === ' ') continue;
    if (first) {
      out += c >= 'a' && c <= 'z' ? c.toUpperCase() : c;
      first = false;
    } else {
      out += c >= 'A' && c <= 'Z' ? c.toLowerCase() : c;
    }
  }
  return out;
}

/** The name re2js knows for a name Go accepts (unknown names come back canonical, and fail in both). */
function lookupName(name: string): string {
  const negated = name.startsWith('^');
  const canonical = canonicalName(negated ? name.slice(1) : name);
  // A name of only `_`, `-` and spaces is no name: left as written, it fails in both with the same text.
  if (canonical === '') return name;
  return (negated ? '^' : '') + (CATEGORY_ALIASES[canonical] ?? canonical);
}

export interface RewrittenPattern {
  pattern: string;
  /** Replaced spans: [at, end) in the rewritten pattern came from [originalAt, originalEnd) of the original. */
  spans: { at: number; end: number; originalAt: number; originalEnd: number }[];
  /** Expressions re2js quotes in an error that Go quotes differently for the same fault. */
  exprFixes: Map<string, string>;
  /** Capture group names given to a repeated name (`x_2`) → the name as written (`x`). */
  renamedGroups: Map<string, string>;
}

/** The capture group name at `at` if it is valid and closed by `>` (Go's isValidCaptureName), else null. */
function captureName(pattern: string, at: number): string | null {
  const re = /([A-Za-z0-9_]+)>/y;
  re.lastIndex = at;
  return re.exec(pattern)?.[1] ?? null;
}

/** The pattern re2js must compile to behave as Go 1.26 does on `pattern` (see the module comment). */
export function toRe2js(pattern: string): RewrittenPattern {
  const spans: RewrittenPattern['spans'] = [];
  const exprFixes = new Map<string, string>();
  const renamedGroups = new Map<string, string>();
  const usedNames = new Set([...pattern.matchAll(/\(\?P?<([A-Za-z0-9_]+)>/g)].map((m) => m[1]!));
  const seenNames = new Set<string>();
  let out = '';
  const replace = (originalAt: number, originalEnd: number, text: string) => {
    spans.push({ at: out.length, end: out.length + text.length, originalAt, originalEnd });
    out += text;
  };
  const lastColonBracket = pattern.lastIndexOf(':]');
  let inClass = false;
  let classFirst = false;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      const next = pattern[i + 1]!;
      classFirst = false;
      if (!inClass && next === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const stop = end < 0 ? pattern.length : end + 2;
        out += pattern.slice(i, stop);
        i = stop;
      } else if (next === 'p' || next === 'P') {
        i = unicodeClass(pattern, i, (text) => (out += text), replace);
      } else {
        out += c + next;
        i += 2;
      }
      continue;
    }
    if (inClass) {
      if (c === ']' && !classFirst) inClass = false;
      classFirst = false;
      if (inClass && c === '[' && pattern[i + 1] === ':' && i + 2 < pattern.length) {
        // (lastColonBracket first: a long run of `[:` with no `:]` after it stays linear.)
        const close = lastColonBracket < i + 2 ? -1 : pattern.indexOf(':]', i + 2);
        if (close < 0) {
          // Not a POSIX class in Go: a literal `[`, which re2js would read as the class `[:]`.
          if (pattern[i + 2] === ']') replace(i, i + 1, '\\[');
          else out += c;
          i++;
          continue;
        }
        // Go fails at the first such class; re2js quotes it as `[:]`.
        if (pattern[i + 2] === ']' && !exprFixes.has('[:]')) exprFixes.set('[:]', pattern.slice(i, close + 2));
        out += pattern.slice(i, close + 2);
        i = close + 2;
        continue;
      }
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      classFirst = true;
      const negated = pattern[i + 1] === '^';
      out += negated ? '[^' : '[';
      i += negated ? 2 : 1;
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const left = pattern.length - i;
      const nameAt = left > 4 && pattern[i + 2] === 'P' && pattern[i + 3] === '<' ? i + 4 : left > 3 && pattern[i + 2] === '<' ? i + 3 : -1;
      // Go takes the name up to the first `>`; only a valid one (word characters) needs care here.
      const nameMatch = nameAt < 0 ? null : captureName(pattern, nameAt);
      const name = nameMatch ?? '';
      const end = nameAt + name.length;
      if (nameMatch !== null) {
        out += pattern.slice(i, nameAt);
        if (seenNames.has(name)) {
          let k = 2;
          while (usedNames.has(`${name}_${k}`)) k++;
          usedNames.add(`${name}_${k}`);
          renamedGroups.set(`${name}_${k}`, name);
          replace(nameAt, end, `${name}_${k}`);
        } else {
          seenNames.add(name);
          out += name;
        }
        out += '>';
        i = end + 1;
        continue;
      }
    }
    out += c;
    i++;
  }
  return { pattern: out, spans, exprFixes, renamedGroups };
}

/** Copies `\p…`/`\P…` at `i` with its name as re2js knows it; returns the index after it. */
function unicodeClass(pattern: string, i: number, copy: (text: string) => void, replace: (at: number, end: number, text: string) => void): number {
  let nameStart: number;
  let nameEnd: number;
  if (pattern[i + 2] === '{') {
    const close = pattern.lastIndexOf('}') < i + 3 ? -1 : pattern.indexOf('}', i + 3);
    if (close < 0) {
      copy(pattern.slice(i, i + 2));
      return i + 2;
    }
    nameStart = i + 3;
    nameEnd = close;
  } else {
    nameStart = i + 2;
    const code = pattern.codePointAt(nameStart);
    nameEnd = code === undefined ? nameStart : nameStart + (code > 0xffff ? 2 : 1);
  }
  const name = pattern.slice(nameStart, nameEnd);
  const known = name === '' ? name : lookupName(name);
  copy(pattern.slice(i, nameStart));
  if (known === name) copy(name);
  else replace(nameStart, nameEnd, known);
  return nameEnd;
}

/** Go's error text for re2js' error (`description`, `expr`) on the rewritten pattern. */
export function goSyntaxError(original: string, rewritten: RewrittenPattern, description: string, expr: string): string {
  if (description === 'invalid named capture' && (expr === '(?P<' || expr === '(?<') && original.endsWith(expr)) {
    return `error parsing regexp: invalid or unsupported Perl syntax: \`${expr.slice(0, 3)}\``;
  }
  const fixed = rewritten.exprFixes.get(expr) ?? originalExpression(original, rewritten, expr);
  return `error parsing regexp: ${description}: \`${fixed}\``;
}

/** The part of the original pattern that `expression` (a substring of the rewritten one) came from. */
function originalExpression(original: string, rewritten: RewrittenPattern, expression: string): string {
  if (rewritten.spans.length === 0) return expression;
  // re2js quotes whole tokens: skip an occurrence that starts or ends inside a rewritten name.
  const inside = (position: number) => rewritten.spans.some((span) => position > span.at && position < span.end);
  // Many errors quote the rest of the pattern (`\p{G`, a missing `)`): then it is the end.
  let at = rewritten.pattern.endsWith(expression) ? rewritten.pattern.length - expression.length : rewritten.pattern.indexOf(expression);
  while (at >= 0 && (inside(at) || inside(at + expression.length))) at = rewritten.pattern.indexOf(expression, at + 1);
  if (at < 0) return expression;
  const toOriginal = (position: number, isEnd: boolean): number => {
    let shift = 0;
    for (const span of rewritten.spans) {
      if (position < span.at || (isEnd && position === span.at)) break;
      if (position < span.end || (isEnd && position === span.end)) return isEnd ? span.originalEnd : span.originalAt;
      shift = span.originalEnd - span.end;
    }
    return position + shift;
  };
  return original.slice(toOriginal(at, false), toOriginal(at + expression.length, true));
}

/** A Go regular expression compiled with re2js, and its capture group names as Go's SubexpNames() gives them. */
export interface GoRegexp {
  readonly regexp: RE2JS;
  /** Index → name ("" for unnamed groups and for index 0), names as written in the pattern. */
  readonly subexpNames: readonly string[];
}

/**
 * Go's regexp.Compile(pattern): the compiled expression, or Go's error text
 * (`error parsing regexp: missing closing ): `(a``), accepting and rejecting exactly what Go 1.26 does.
 */
export function compileGoRegexp(pattern: string): { ok: true; compiled: GoRegexp } | { ok: false; message: string } {
  const rewritten = toRe2js(pattern);
  let regexp: RE2JS;
  try {
    regexp = RE2JS.compile(rewritten.pattern);
  } catch (err) {
    // Go's syntax.Error always ends with ": `expr`", even when the expression is empty (a trailing backslash
    // reports ``); re2js leaves that part out when it has no expression.
    if (err instanceof RE2JSSyntaxException) return { ok: false, message: goSyntaxError(pattern, rewritten, err.getDescription(), err.getPattern() ?? '') };
    return { ok: false, message: errorMessage(err) };
  }
  const subexpNames: string[] = new Array(regexp.groupCount() + 1).fill('');
  for (const [name, index] of Object.entries(regexp.namedGroups())) subexpNames[index] = rewritten.renamedGroups.get(name) ?? name;
  return { ok: true, compiled: { regexp, subexpNames } };
}
