/** The text of a thrown value: an Error's message (never its stack), or the value as a string. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
