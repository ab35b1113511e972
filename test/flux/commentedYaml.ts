// Seeded random YAML files with comments everywhere go-yaml v3 keeps them: head comments at the node's, the
// parent's, a deeper or the margin's indentation, line comments, comments after the last item of a block and at
// the end of a document, on `---` lines, inside flow collections (after the bracket, between, after and below
// items), plus quoted and flow values, values on the line after their key, and (optionally) blank lines. The
// setters oracle test runs kyaml on each and checks reformatReport against it.

/** A small deterministic generator (mulberry32-style); the same seed gives the same file. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

/**
 * One file for `seed`: one to three documents of block mappings up to three levels deep, the first starting
 * with the marked line `image: x:1 # {"$imagepolicy": "ns:p"}`. `blanks: false` leaves out blank lines (which
 * kyaml drops almost always, hiding every other change).
 */
export function commentedYaml(seed: number, options: { blanks?: boolean } = {}): string {
  const random = seeded(seed * 7919 + 17);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const chance = (p: number) => random() < p;
  let n = 0;
  const out: string[] = [];
  const sp = (k: number) => ' '.repeat(k);
  const comments = (indents: number[], p: number) => {
    while (chance(p)) {
      if (options.blanks !== false && chance(0.2)) out.push('');
      out.push(`${sp(pick(indents))}# c${n++}`);
    }
  };
  const lineComment = () => (chance(0.3) ? ` # l${n++}` : '');
  const flow = (indent: number): string[] => {
    const seq = chance(0.5);
    const [open, close] = seq ? ['[', ']'] : ['{', '}'];
    const items = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => (seq ? `f${i}` : `f${i}: ${i}`));
    if (chance(0.4)) return [`${open}${items.join(', ')}${close}${lineComment()}`];
    const lines = [open + (chance(0.3) ? ` # o${n++}` : '')];
    items.forEach((item, i) => {
      if (chance(0.2)) lines.push(`${sp(indent + 2)}# h${n++}`);
      lines.push(`${sp(indent + 2)}${item}${i < items.length - 1 || chance(0.3) ? ',' : ''}${chance(0.3) ? ` # t${n++}` : ''}`);
    });
    if (chance(0.2)) lines.push(`${sp(indent + 2)}# e${n++}`);
    lines.push(`${sp(indent)}${close}${lineComment()}`);
    return lines;
  };
  const mapping = (indent: number, depth: number, parentIndent: number, first?: string) => {
    const count = 1 + Math.floor(random() * 3);
    for (let i = 0; i < count; i++) {
      comments([indent, indent, parentIndent, 0, indent + 2], 0.15);
      if (i === 0 && first) { out.push(`${sp(indent)}${first}`); continue; }
      const key = `k${n++}`;
      const kind = depth > 2 ? 'scalar' : pick(['scalar', 'scalar', 'map', 'seq', 'flow']);
      if (kind === 'scalar' && chance(0.1)) out.push(`${sp(indent)}${key}:${lineComment()}`, `${sp(indent + 2)}${pick(['v', "'q'"])}${lineComment()}`);
      else if (kind === 'scalar') out.push(`${sp(indent)}${key}: ${pick(['v', 'v', "'q'", '"d"', '[f]', '{}'])}${lineComment()}`);
      else if (kind === 'map') { out.push(`${sp(indent)}${key}:${lineComment()}`); mapping(indent + 2, depth + 1, indent); }
      else if (kind === 'seq') { out.push(`${sp(indent)}${key}:${lineComment()}`); sequence(chance(0.5) ? indent : indent + 2, depth + 1, indent); }
      else { const lines = flow(indent); out.push(`${sp(indent)}${key}: ${lines[0]}`, ...lines.slice(1)); }
    }
    comments([indent, parentIndent, 0], 0.2);
  };
  const sequence = (indent: number, depth: number, parentIndent: number) => {
    const count = 1 + Math.floor(random() * 3);
    for (let i = 0; i < count; i++) {
      comments([indent, indent, parentIndent, 0, indent + 2], 0.15);
      if (depth > 2 || chance(0.6)) out.push(`${sp(indent)}- s${n++}${lineComment()}`);
      else { out.push(`${sp(indent)}- a${n++}: v${lineComment()}`); mapping(indent + 2, depth + 1, indent); }
    }
    comments([indent, parentIndent, 0], 0.2);
  };
  const documents = 1 + Math.floor(random() * 2.5);
  for (let d = 0; d < documents; d++) {
    if (d > 0 || chance(0.15)) {
      comments([0], 0.2);
      out.push(chance(0.15) ? `--- # sep${n++}` : '---');
    }
    comments([0], 0.3);
    mapping(0, 0, 0, d === 0 ? 'image: x:1 # {"$imagepolicy": "ns:p"}' : undefined);
    comments([0], 0.2);
  }
  return out.join('\n') + '\n';
}
