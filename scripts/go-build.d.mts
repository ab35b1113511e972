// Types of scripts/go-build.mjs for the TypeScript harness.
export type GoProgram = 'image-reflector-controller' | 'kube-apiserver' | 'etcd' | 'flux-oracle' | 'flux-policy-oracle';
export interface VersionPin { module: string; version?: string; package: string; stagingVersion?: string; source?: string }
export const versions: Record<GoProgram, VersionPin>;
export const cacheRoot: string;
export function binaryPath(name: GoProgram): string;
export function ensureBinary(name: GoProgram, log?: (line: string) => void): { path: string; cold: boolean; ms: number };
