// Settings (section `tagline`), pulled the usual LSP way; clients without `workspace/configuration` may push
// them with `workspace/didChangeConfiguration`, and with neither the defaults apply.
import { DEFAULT_BUILD_TIMEOUT_MS } from '../../common/kustomize/budget';
export interface ServerSettings {
  validation: { enable: boolean };
  /** tagline.fluxVersion: the Flux version or range the workspace's cluster runs; wins over the manifests. */
  fluxVersion?: string;
  /** `workspace`: every file holding a Flux image document is published; `openFiles`: only open editors. */
  diagnostics: { scope: 'workspace' | 'openFiles' };
  /** tagline.kustomize.buildTimeout: the CPU time one kustomize build may use, in seconds (common/kustomize/budget.ts). */
  kustomize: { buildTimeout: number };
}

export const DEFAULT_SETTINGS: ServerSettings = {
  validation: { enable: true }, diagnostics: { scope: 'workspace' }, kustomize: { buildTimeout: DEFAULT_BUILD_TIMEOUT_MS / 1000 },
};

export function readSettings(value: unknown): ServerSettings {
  const section = (value ?? {}) as {
    validation?: { enable?: unknown }; diagnostics?: { scope?: unknown }; fluxVersion?: unknown; kustomize?: { buildTimeout?: unknown };
  };
  const buildTimeout = section.kustomize?.buildTimeout;
  const fluxVersion = typeof section.fluxVersion === 'string' && section.fluxVersion.trim() !== '' ? section.fluxVersion : undefined;
  return {
    validation: { enable: section.validation?.enable !== false },
    diagnostics: { scope: section.diagnostics?.scope === 'openFiles' ? 'openFiles' : 'workspace' },
    kustomize: { buildTimeout: typeof buildTimeout === 'number' && buildTimeout > 0 ? buildTimeout : DEFAULT_SETTINGS.kustomize.buildTimeout },
    ...(fluxVersion ? { fluxVersion } : {}),
  };
}
