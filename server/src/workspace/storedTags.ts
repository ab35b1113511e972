// The stored tags the extension host answers (tagline/storedTags), remembered per canonical image name until the
// host reports a status: tags enter the tag database only through a scan (or leave it when the database is
// cleared), and the host sends the repositories' statuses after either. Without it, every publish of a file with
// ImagePolicies asked the host again for every image the file's policies read, on each keystroke.

/** What the host answered for an image: its tags, `null` when it has none (never scanned, no reconciler). */
export type StoredTagsAnswer = string[] | null;

export class StoredTagsCache {
  /** Answers (or questions in flight) since the last status; an answer asked for before it is not kept. */
  private readonly answers = new Map<string, Promise<StoredTagsAnswer>>();

  /**
   * `ask` sends the request and resolves with the host's answer, or with `undefined` when it gave none in time
   * (a client without a reconciler may never answer): such a non-answer is not remembered.
   */
  constructor(private readonly ask: (canonicalImageName: string) => Promise<StoredTagsAnswer | undefined>) {}

  /** The stored tags of `canonicalImageName` (e.g. `ghcr.io/acme/app`), asked once per status change; `null` when none. */
  get(canonicalImageName: string): Promise<StoredTagsAnswer> {
    const known = this.answers.get(canonicalImageName);
    if (known) return known;
    const answer = this.ask(canonicalImageName).then((tags) => {
      if (tags === undefined && this.answers.get(canonicalImageName) === answer) this.answers.delete(canonicalImageName);
      return tags ?? null;
    });
    this.answers.set(canonicalImageName, answer);
    return answer;
  }

  /** Forgets every answer: the host reported a status, so a scan may have changed what it stores. */
  invalidate(): void {
    this.answers.clear();
  }
}
