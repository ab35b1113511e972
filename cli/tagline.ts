// `tagline` command line: the same checks and scans as the editor, for terminals and CI.
import { runCheck } from './check';
import { runScan } from './scan';

const USAGE = `usage:
  tagline check <files or folders...> [--format text|json]
  tagline scan <files or folders...> [--db FILE] [--format table|json|yaml|describe] [--watch]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check':
      return runCheck(rest);
    case 'scan':
      return runScan(rest);
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      process.stderr.write((command ? `unknown command '${command}'\n` : '') + USAGE + '\n');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`tagline: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
