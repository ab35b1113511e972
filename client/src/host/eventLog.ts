// The recent Flux events of each object, for "Show Events" (ImageRepositories and ImagePolicies alike).
import type { FluxEvent } from '../../../common/model';
import { objectKey } from '../../../common/model';

/** Kubernetes keeps about an hour of events; a short history per object is enough for "Show Events". */
export const EVENTS_PER_OBJECT = 50;

/** The last EVENTS_PER_OBJECT events of each object, keyed by `objectKey` of the event's involvedObject. */
export class EventLog {
  private readonly events = new Map<string, FluxEvent[]>();

  /** Appends `event`, dropping the oldest of its object beyond EVENTS_PER_OBJECT. */
  add(event: FluxEvent): void {
    const key = objectKey(event.involvedObject);
    const list = this.events.get(key) ?? [];
    list.push(event);
    if (list.length > EVENTS_PER_OBJECT) list.splice(0, list.length - EVENTS_PER_OBJECT);
    this.events.set(key, list);
  }

  /** The events of the object `key` (`namespace/name`), oldest first; empty when there are none. */
  for(key: string): FluxEvent[] {
    return this.events.get(key) ?? [];
  }
}
