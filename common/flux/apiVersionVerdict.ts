// Judges an image.toolkit.fluxcd.io apiVersion against the Flux the repository runs: what the API server of that
// Flux would do with it (serve it, serve it with its CRD's deprecation warning, or reject it as unknown).
import { fluxLabel, type DetectedFlux } from './fluxVersion';
import {
  controllerOf, controllerRelease, FLUX_RELEASES, LATEST_FLUX_MINOR, removedIn, servedByFlux, type ImageKind,
} from './servedVersions';

export const IMAGE_GROUP = 'image.toolkit.fluxcd.io';

export type VerdictLevel =
  /** Served and not deprecated: nothing to say. */
  | 'served'
  /** Served, not deprecated, but a later Flux release removes it. */
  | 'servedUntil'
  /** Served with the CRD's deprecation warning. */
  | 'deprecated'
  /** Served by some of the Flux installs found, not by others. */
  | 'servedBySome'
  /** No Flux version found; some Flux releases do not serve it. */
  | 'unknownFlux'
  /** Not served by the Flux found (or by any Flux release). */
  | 'unserved';

export interface ApiVersionVerdict {
  level: VerdictLevel;
  /** Empty for `served`. */
  message: string;
  /** The version to migrate to: the storage version of the Flux found (of the newest release when none). */
  migrateTo?: string;
}

function describeServed(kind: ImageKind, minor: string): string {
  const served = servedByFlux(kind, minor) ?? [];
  return `${controllerOf(kind)} ${controllerRelease(minor, controllerOf(kind))} serves ${served.map((v) => v.name).join(', ')}`;
}

function storageVersion(kind: ImageKind, minor: string): string | undefined {
  return servedByFlux(kind, minor)?.find((v) => v.storage)?.name;
}

function judgeOne(kind: ImageKind, version: string, flux: DetectedFlux): ApiVersionVerdict {
  const apiVersion = `${IMAGE_GROUP}/${version}`;
  const served = servedByFlux(kind, flux.minor) ?? [];
  const migrateTo = storageVersion(kind, flux.minor);
  const entry = served.find((v) => v.name === version);
  const where = `${fluxLabel(flux)}, from ${flux.source}`;
  if (!entry) {
    return { level: 'unserved', migrateTo, message: `${apiVersion} ${kind} is not served by ${where} (${describeServed(kind, flux.minor)}).` };
  }
  const removal = removedIn(kind, version, flux.minor);
  const removalText = removal ? ` Flux ${removal} (${controllerOf(kind)} ${controllerRelease(removal, controllerOf(kind))}) no longer serves it.` : '';
  if (entry.deprecationWarning) {
    return { level: 'deprecated', migrateTo, message: `${entry.deprecationWarning} (${where}).${removalText}` };
  }
  if (removal) {
    return { level: 'servedUntil', migrateTo, message: `${apiVersion} ${kind} is served by ${where}.${removalText}` };
  }
  return { level: 'served', message: '' };
}

/**
 * `kind` at `version` (`v1beta2`) against every Flux found. With none found, a version the newest release serves
 * passes, and one it does not gets `unknownFlux` (or `unserved` if no release ever served it). With several that
 * disagree, the version is an error only if none serves it.
 */
export function judgeApiVersion(kind: ImageKind, version: string, found: readonly DetectedFlux[]): ApiVersionVerdict {
  const apiVersion = `${IMAGE_GROUP}/${version}`;
  if (found.length === 0) {
    const latest = servedByFlux(kind, LATEST_FLUX_MINOR) ?? [];
    if (latest.some((v) => v.name === version)) return { level: 'served', message: '' };
    const servedBy = FLUX_RELEASES.filter((r) => servedByFlux(kind, r.minor)?.some((v) => v.name === version)).map((r) => r.minor);
    const migrateTo = storageVersion(kind, LATEST_FLUX_MINOR);
    if (servedBy.length === 0) {
      return { level: 'unserved', migrateTo, message: `${apiVersion} ${kind} is not served by any Flux release (Flux ${LATEST_FLUX_MINOR}: ${describeServed(kind, LATEST_FLUX_MINOR)}).` };
    }
    return {
      level: 'unknownFlux', migrateTo,
      message: `${apiVersion} ${kind} is served only by Flux ${servedBy[0]}–${servedBy[servedBy.length - 1]}, and no Flux version was found in this workspace ` +
        `(no gotk-components.yaml, Flux install manifest or FluxInstance); set tagline.fluxVersion to the version your cluster runs.`,
    };
  }
  const verdicts = found.map((flux) => judgeOne(kind, version, flux));
  const unserved = verdicts.filter((v) => v.level === 'unserved');
  if (unserved.length === verdicts.length) return unserved[0];
  if (unserved.length > 0) return { ...unserved[0], level: 'servedBySome' };
  return verdicts.find((v) => v.level === 'deprecated') ?? verdicts.find((v) => v.level === 'servedUntil') ?? verdicts[0];
}

/** `image.toolkit.fluxcd.io/v1beta2` → `v1beta2`; undefined for another group. */
export function imageApiVersion(apiVersion: string | undefined): string | undefined {
  return apiVersion?.startsWith(IMAGE_GROUP + '/') ? apiVersion.slice(IMAGE_GROUP.length + 1) : undefined;
}

/** Whether the controller would reconcile an object at this verdict (the API server holds it). */
export function isServed(verdict: ApiVersionVerdict): boolean {
  return verdict.level !== 'unserved';
}
