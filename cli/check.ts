// `tagline check <files or folders...> [--format text|json]`: the editor's diagnostics in a terminal or CI.
import { relative } from 'node:path';
import { loadManifests } from '../common/manifests';
import { Severity, type TaglineDiagnostic } from '../server/src/validation';
import { checkedFolder, checkWorkspace } from '../server/src/validation/workspaceCheck';

const SEVERITY_NAMES = { [Severity.Error]: 'error', [Severity.Warning]: 'warning', [Severity.Information]: 'information', [Severity.Hint]: 'hint' } as const;

const USAGE = 'usage: tagline check <files or folders...> [--format text|json]';

interface CheckArgs { paths: string[]; format: 'text' | 'json' }

function parseArgs(args: string[]): CheckArgs | string {
  const paths: string[] = [];
  let format: CheckArgs['format'] = 'text';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = arg === '--format' ? args[++i] : arg.startsWith('--format=') ? arg.slice('--format='.length) : undefined;
    if (arg === '--format' || arg.startsWith('--format=')) {
      if (value !== 'text' && value !== 'json') return `unknown format '${value ?? ''}'`;
      format = value;
    } else if (arg === '-h' || arg === '--help') {
      return '';
    } else if (arg.startsWith('-')) {
      return `unknown option '${arg}'`;
    } else {
      paths.push(arg);
    }
  }
  if (paths.length === 0) return 'no files or folders given';
  return { paths, format };
}

export interface CheckFinding {
  file: string;
  range: TaglineDiagnostic['range'];
  severity: (typeof SEVERITY_NAMES)[keyof typeof SEVERITY_NAMES];
  code: string;
  source: string;
  message: string;
}

export async function checkPaths(paths: string[]): Promise<CheckFinding[]> {
  const loaded = await loadManifests(paths);
  const { diagnostics } = await checkWorkspace(loaded, checkedFolder(paths));
  const findings: CheckFinding[] = [];
  for (const { path } of loaded) {
    const file = relative(process.cwd(), path) || path;
    for (const d of diagnostics.get(path) ?? []) {
      findings.push({ file, range: d.range, severity: SEVERITY_NAMES[d.severity], code: d.code, source: d.source, message: d.message });
    }
  }
  return findings;
}

export async function runCheck(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    process.stderr.write((parsed ? `tagline check: ${parsed}\n` : '') + USAGE + '\n');
    return parsed ? 2 : 0;
  }
  const findings = await checkPaths(parsed.paths);
  if (parsed.format === 'json') {
    process.stdout.write(JSON.stringify(findings, null, 2) + '\n');
  } else {
    for (const f of findings) {
      const message = f.message.replace(/\n/g, ' ');
      process.stdout.write(`${f.file}:${f.range.start.line + 1}:${f.range.start.character + 1} ${f.severity} ${f.code} ${message}\n`);
    }
  }
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}
