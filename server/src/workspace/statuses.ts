// The reconciler's view of each ImageRepository, as sent by the extension host (`tagline/status`).
import { objectKey, type ImageRepositoryObject } from '../../../common/model';
import type { ObjectStatus, StatusParams } from '../../../common/protocol';

export class StatusStore {
  private readonly byKey = new Map<string, ObjectStatus>();

  /** Applies a notification; returns the URIs whose statuses changed. */
  apply(params: StatusParams): Set<string> {
    const touched = new Set<string>();
    for (const key of params.removed ?? []) {
      const old = this.byKey.get(key);
      if (old) touched.add(old.uri);
      this.byKey.delete(key);
    }
    for (const status of params.statuses ?? []) {
      const old = this.byKey.get(status.key);
      if (old) touched.add(old.uri);
      touched.add(status.uri);
      this.byKey.set(status.key, status);
    }
    return touched;
  }

  get(key: string): ObjectStatus | undefined {
    return this.byKey.get(key);
  }

  /** The status of this object as written in this file (the same key in another file is another object). */
  forObject(object: ImageRepositoryObject): ObjectStatus | undefined {
    const status = this.byKey.get(objectKey(object.metadata));
    return status && (!object.source || status.uri === object.source.uri) ? status : undefined;
  }
}
