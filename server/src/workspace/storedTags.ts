// The stored tags the extension host answers (tagline/storedTags), remembered per canonical image name until the
// host reports a status: tags enter the tag database only through a scan (or leave it when the database is
// cleared), and the host sends the repositories' statuses after either. Without it, every publish of a file with
// ImagePolicies asked the host again for every image the file's policies read, on each keystroke.

/** What the host answered for an image: its tags, `null` when it has none (never scanned, no reconciler). */
export type StoredTagsAnswer = string[] | null;

export class StoredTagsCache {
  private readonly answers = new Map<string, Promise<StoredTagsAnswer>>();
  /** Bumped by `invalidate`: an answer asked for before it is not kept. */
  private generation = 0;

  /**
   * `ask` sends the request and resolves with the host's answer, or with `undefined` when it gave none in time
   * (a client without a reconciler may never answer): such a non-answer is not remembered.
   */
  constructor(private readonly ask: (canonicalImageName: string) => Promise<StoredTagsAnswer | undefined>) {}

  /** The stored tags of `canonicalImageName` (e.g. `ghcr.io/acme/app`), asked once per status change; `null` when none. */
  get(canonicalImageName: string): Promise<StoredTagsAnswer> {
    const known = this.answers.get(canonicalImageName);
    if (known) return known;
    const generation = this.generation;
    const answer = this.ask(canonicalImageName).then((tags) => {
      if (tags === undefined || generation !== this.generation) {
        if (this.answers.get(canonicalImageName) === answer) this.answers.delete(canonicalImageName);
      }
      return tags ?? null;
    });
    this.answers.set(canonicalImageName, answer);
    return answer;
  }

  /** Forgets every answer: the host reported a status, so a scan may have changed what it stores. */
  invalidate(): void {
    this.generation++;
    this.answers.clear();
  }
}
