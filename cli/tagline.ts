// `tagline` command line: the same checks and scans as the editor, for terminals and CI.
import { runCheck } from './check';
import { runScan } from './scan';
import { runGet } from './get';
import { runDiff } from './diff';
import { runUpdate } from './update';
import { errorMessage } from '../common/errors';

const USAGE = `usage:
  tagline check <files or folders...> [--format text|json] [--flux-version VERSION] [--kustomize-timeout SECONDS]
  tagline scan <files or folders...> [--db FILE] [--format table|json|yaml|describe] [--watch] [--flux-version VERSION]
  tagline get [--kubeconfig FILE] [--context NAME] [-n NAMESPACE | -A]
  tagline diff <files or folders...> [--kubeconfig FILE] [--context NAME] [-A]
  tagline update <files or folders...> [--db FILE] [--write]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check':
      return runCheck(rest);
    case 'scan':
      return runScan(rest);
    case 'get':
      return runGet(rest);
    case 'diff':
      return runDiff(rest);
    case 'update':
      return runUpdate(rest);
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

// `tagline check … | head` closes the pipe early: stop quietly, as Unix tools do, instead of a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`tagline: ${errorMessage(err)}\n`);
    process.exitCode = 2;
  },
);
