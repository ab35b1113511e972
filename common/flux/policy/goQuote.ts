// Go's strconv.Quote, for error texts that print a value with %q (Masterminds semver `improper constraint: %q`,
// strconv `parsing %q`). Follows go/src/strconv/quote.go appendQuotedWith: printable runes stay as they are,
// `"` and `\` are escaped, control characters become \a \b \f \n \r \t \v or \xNN, other non-printable runes
// \uNNNN or \UNNNNNNNN.

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

const SHORT_ESCAPES: Record<number, string> = {
  0x07: '\\a', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v',
};

/**
 * strconv.Quote(s) from Go's strconv package: `s` (a JS string, read as the UTF-8 text Go would hold) as a
 * double-quoted Go string literal. Lone surrogates, which UTF-8 cannot hold, are quoted as U+FFFD.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (r === 0x22) out += '\\"';
    else if (r === 0x5c) out += '\\\\';
    else if (r >= 0x20 && r < 0x7f) out += ch;
    else if (r >= 0xd800 && r <= 0xdfff) out += '\ufffd';
    else if (r >= 0x80 && (PRINTABLE.test(ch))) out += ch;
    else if (SHORT_ESCAPES[r] !== undefined) out += SHORT_ESCAPES[r];
    else if (r < 0x20 || r === 0x7f) out += '\\x' + r.toString(16).padStart(2, '0');
    else if (r < 0x10000) out += '\\u' + r.toString(16).padStart(4, '0');
    else out += '\\U' + r.toString(16).padStart(8, '0');
  }
  return out + '"';
}
