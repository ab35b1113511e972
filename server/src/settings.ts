// Settings (section `tagline`), pulled the usual LSP way; clients without `workspace/configuration` may push
// them with `workspace/didChangeConfiguration`, and with neither the defaults apply.
export interface ServerSettings { validation: { enable: boolean } }

export const DEFAULT_SETTINGS: ServerSettings = { validation: { enable: true } };

export function readSettings(value: unknown): ServerSettings {
  const section = (value ?? {}) as { validation?: { enable?: unknown } };
  return { validation: { enable: section.validation?.enable !== false } };
}
