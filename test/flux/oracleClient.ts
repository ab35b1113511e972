// What the differential tests against the Go oracles share: a seeded generator of inputs and a client that
// sends a batch of JSON lines to an oracle process built by scripts/go-build.mjs and collects its answers.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { ensureBinary, type GoProgram } from '../../scripts/go-build.mjs';

/**
 * The seed of this run: a fixed one, so that `npm test` asks the same inputs every time and a red run is a change in
 * the code, never the luck of the draw. TAGLINE_ORACLE_SEED=<n> replays a seed; TAGLINE_ORACLE_SEED=random draws one
 * (printed with any disagreement) to explore inputs beyond the fixed set.
 */
export const SEED = seedOf(process.env.TAGLINE_ORACLE_SEED);

function seedOf(setting: string | undefined): number {
  if (setting === undefined || setting === '') return 1;
  if (setting === 'random') return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(setting);
  if (!Number.isSafeInteger(seed)) throw new Error(`TAGLINE_ORACLE_SEED must be an integer or "random", not ${JSON.stringify(setting)}`);
  return seed;
}
/** Inputs per kind: TAGLINE_ORACLE_COUNT, 10,000 by default. */
export const PER_KIND = Number(process.env.TAGLINE_ORACLE_COUNT ?? 10_000);

/** mulberry32: a small seeded PRNG. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  constructor(readonly next: () => number) {}
  int(n: number): number { return Math.floor(this.next() * n); }
  pick<T>(items: readonly T[]): T { return items[this.int(items.length)]!; }
  chars(alphabet: string, max: number): string {
    const runes = [...alphabet];
    return Array.from({ length: this.int(max + 1) }, () => this.pick(runes)).join('');
  }
  /** Insert, delete, replace, duplicate or cut at random places, 1–3 times. */
  mutate(s: string, alphabet: string): string {
    const runes = [...alphabet];
    let out = [...s];
    for (let n = 1 + this.int(3); n > 0; n--) {
      const at = this.int(out.length + 1);
      switch (this.int(6)) {
        case 0: out.splice(at, 0, this.pick(runes)); break;
        case 1: out.splice(at, 1); break;
        case 2: out[at] = this.pick(runes); break;
        case 3: out.splice(at, 0, ...out.slice(this.int(out.length), this.int(out.length + 1))); break;
        case 4: out = out.slice(0, at); break;
        default: out = out.map((c) => (this.int(8) === 0 ? (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) : c));
      }
    }
    return out.join('');
  }
}

/** An oracle process (`flux-oracle`, `flux-policy-oracle`): one JSON answer line per JSON request line. */
export class OracleClient {
  private readonly process: ChildProcessWithoutNullStreams;
  private pending: { resolve: (lines: unknown[]) => void; want: number; got: unknown[] } | undefined;
  private buffered = '';

  constructor(name: GoProgram) {
    const { path } = ensureBinary(name);
    // It exits when its stdin closes, which the OS does if this process dies.
    this.process = spawn(path, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stdout.setEncoding('utf8');
    this.process.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      let newline: number;
      while (this.pending && (newline = this.buffered.indexOf('\n')) >= 0) {
        this.pending.got.push(JSON.parse(this.buffered.slice(0, newline)));
        this.buffered = this.buffered.slice(newline + 1);
        if (this.pending.got.length === this.pending.want) {
          const done = this.pending;
          this.pending = undefined;
          done.resolve(done.got);
        }
      }
    });
  }

  /** The answers to `requests`, in order. One batch at a time. */
  ask<T>(requests: object[]): Promise<T[]> {
    return new Promise((resolve) => {
      this.pending = { resolve: resolve as (lines: unknown[]) => void, want: requests.length, got: [] };
      this.process.stdin.write(requests.map((r) => JSON.stringify(r)).join('\n') + '\n');
    });
  }

  stop(): void {
    this.process.stdin.end();
  }
}

/** Compares every answer; reports the first 10 disagreements with the seed. */
export function compare<I>(kind: string, inputs: I[], disagree: (input: I, index: number) => string | undefined): void {
  const problems: string[] = [];
  inputs.forEach((input, i) => {
    const problem = disagree(input, i);
    if (problem !== undefined) problems.push(`${JSON.stringify(input)}: ${problem}`);
  });
  assert.deepEqual(problems.slice(0, 10), [], `${kind}: ${problems.length} of ${inputs.length} inputs disagree with Go (TAGLINE_ORACLE_SEED=${SEED})`);
}
