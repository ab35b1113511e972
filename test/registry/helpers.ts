// Small helpers shared by the registry tests.
import { parseImageReference, type ImageReference } from '../../common/flux/reference';

export function ref(image: string, insecure = false): ImageReference {
  const parsed = parseImageReference(image, insecure);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.reference;
}

export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

export const seconds = (n: number) => AbortSignal.timeout(n * 1000);
