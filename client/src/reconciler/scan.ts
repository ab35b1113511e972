// The controller's `scan()`: list the tags, drop the excluded ones, sort them, store them and record the result
// (image-reflector-controller internal/controller/imagerepository_controller.go `scan`). Errors come back without the `scan failed: ` prefix, which reconcile() adds.
import { filterOutTags, getExclusionList } from '../../../common/flux/exclusion';
import { rfc3339 } from '../../../common/flux/conditions';
import type { ImageReference } from '../../../common/flux/reference';
import { sortTagsAndGetLatestTags, tagsRevision } from '../../../common/flux/tags';
import type { ImageRepositoryObject, ScanResult } from '../../../common/model';
import type { TagStore } from '../store';
import { errorMessage } from '../../../common/errors';

export interface ScanOutcome {
  lastScanResult: ScanResult;
  /** The stored list: filtered, descending byte order. */
  tags: string[];
}

export async function scan(input: {
  object: ImageRepositoryObject;
  reference: ImageReference;
  store: TagStore;
  list: () => Promise<string[]>;
  now: () => number;
}): Promise<ScanOutcome> {
  const listed = await input.list();
  // Patterns compile only after a successful listing, as in the controller.
  const filtered = filterOutTags(listed, getExclusionList(input.object.spec));
  const { sorted, latestTags } = sortTagsAndGetLatestTags(filtered);
  const canonical = input.reference.canonicalImageName;
  try {
    input.store.setImageTags(canonical, listed);
  } catch (err) {
    throw new Error(`failed to set tags for "${canonical}": ${errorMessage(err)}`);
  }
  const lastScanResult: ScanResult = {
    revision: tagsRevision(sorted),
    tagCount: sorted.length,
    scanTime: rfc3339(input.now()),
    ...(latestTags ? { latestTags } : {}),
  };
  return { lastScanResult, tags: sorted };
}
