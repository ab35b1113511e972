// "Did you mean …?" for names a person almost wrote. Distance is fastest-levenshtein's (a maintained library):
// a name is suggested when, ignoring case, it is at most a quarter of its length away (at least one edit), or
// when one contains the other (`allowInsecure` → `insecure`).
import { distance } from 'fastest-levenshtein';

/** The candidate closest to `written`, or undefined when none is close enough to be what was meant. */
export function closestName(written: string, candidates: Iterable<string>): string | undefined {
  const typed = written.toLowerCase();
  let best: { name: string; score: number } | undefined;
  for (const name of candidates) {
    const wanted = name.toLowerCase();
    const edits = distance(typed, wanted);
    const contained = Math.min(typed.length, wanted.length) >= 5 && (typed.includes(wanted) || wanted.includes(typed));
    if (edits > Math.max(1, Math.floor(wanted.length / 4)) && !contained) continue;
    if (!best || edits < best.score) best = { name, score: edits };
  }
  return best?.name;
}
