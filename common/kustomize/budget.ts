/**
 * The time a kustomize build may take, counted in the CPU time the build's worker thread gets rather than in wall
 * time: on a loaded machine a healthy build gets a fraction of a core and needs many times its CPU time in wall time
 * (a fixed wall budget then fails it), while a build that never ends burns CPU steadily and still meets the budget.
 *
 * The clock is the worker thread's own CPU time where the platform shows it (Linux: `/proc/self/task/<tid>/stat`,
 * utime + stime, proc(5)); elsewhere the whole process's CPU time (`process.cpuUsage()`), never more than the wall
 * time, so a build is charged less when the process as a whole gets less than a core.
 */
import { readFileSync } from 'node:fs';

/** Default CPU time a single build may use, in milliseconds (`tagline.kustomize.buildTimeout`, `--kustomize-timeout`). */
export const DEFAULT_BUILD_TIMEOUT_MS = 30_000;

/**
 * How many times the CPU budget a build may last in wall time before it is stopped anyway, whatever CPU it got
 * (never less than WALL_MIN_MS): a build starved for that long by the rest of the machine is no use to anyone
 * waiting for it.
 */
export const WALL_FACTOR = 20;
const WALL_MIN_MS = 10_000;

/** The wall time (ms) a build with a CPU budget of `budgetMs` may last. */
export function wallLimitMs(budgetMs: number): number {
  return Math.max(WALL_MIN_MS, budgetMs * WALL_FACTOR);
}

/** Linux reports utime and stime in USER_HZ ticks, 100 a second on every architecture Node runs on (proc(5)). */
const TICKS_PER_SECOND = 100;

/**
 * The calling thread's Linux thread id (`/proc/thread-self/stat`, first field), or undefined off Linux. A worker
 * posts it to its parent so that the parent can read the worker's CPU time while the worker is busy.
 */
export function currentThreadId(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ', 1)[0]) || undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, ms) of thread `tid` of this process, or undefined when it cannot be read. */
export function threadCpuMs(tid: number): number | undefined {
  try {
    // The command name in parentheses may hold spaces: fields are counted after its closing parenthesis.
    const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** Milliseconds of CPU a running build has used since its clock was made. */
export type BuildClock = () => number;

/**
 * A clock for one build run by the thread `tid` (undefined: not known): that thread's CPU time when readable, else
 * the process's CPU time, capped by the wall time elapsed.
 */
export function buildClock(tid: number | undefined): BuildClock {
  const threadStart = tid === undefined ? undefined : threadCpuMs(tid);
  if (tid !== undefined && threadStart !== undefined) {
    return () => (threadCpuMs(tid) ?? threadStart) - threadStart;
  }
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpuStart);
    return Math.min(performance.now() - wallStart, (used.user + used.system) / 1000);
  };
}

/**
 * The message of a build stopped at its budget: what happened and what to do about it. `budgetMs` is the CPU
 * budget; `wall` says the build was stopped by the wall-time limit (wallLimitMs) instead.
 */
export function timeoutMessage(budgetMs: number, wall = false): string {
  const seconds = `${budgetMs / 1000}s`;
  const what = wall
    ? `kustomize build did not finish within ${wallLimitMs(budgetMs) / 1000}s (its budget is ${seconds} of CPU time, and the machine gave it too little CPU)`
    : `kustomize build did not finish within ${seconds} of CPU time`;
  return `${what}: if the root is just large, raise the budget (setting tagline.kustomize.buildTimeout, or tagline check --kustomize-timeout SECONDS)`;
}
