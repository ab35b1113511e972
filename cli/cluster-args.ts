// The kubeconfig flags `tagline get` and `tagline diff` share with kubectl and flux: --kubeconfig, --context,
// -n/--namespace, -A/--all-namespaces.

export interface ClusterArgs {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces: boolean;
  paths: string[];
}

/** Parses the flags; returns an error text for an unknown flag or a flag without its value. */
export function parseClusterArgs(args: string[]): ClusterArgs | string {
  const parsed: ClusterArgs = { allNamespaces: false, paths: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    if (flag === '--kubeconfig' || flag === '--context' || flag === '-n' || flag === '--namespace') {
      const v = value();
      if (!v) return `flag needs an argument: ${flag}`;
      if (flag === '--kubeconfig') parsed.kubeconfig = v;
      else if (flag === '--context') parsed.context = v;
      else parsed.namespace = v;
    } else if (flag === '-A' || flag === '--all-namespaces') {
      parsed.allNamespaces = true;
    } else if (flag === '-h' || flag === '--help') {
      return '';
    } else if (flag.startsWith('-')) {
      return `unknown flag: ${arg}`;
    } else {
      parsed.paths.push(arg);
    }
  }
  return parsed;
}
