// `node list-tags.js HOST/REPOSITORY`: one listing with Tagline's registry client in a fresh process, printing
// the number of tags. bench/scan.mjs bundles it with esbuild and times it as a whole process, the same way it
// times `skopeo list-tags`.
import { closeDispatchers, listTags, scanOptions } from '../client/src/registry';
import { parseImageReference } from '../common/flux/reference';

async function main(): Promise<void> {
  const parsed = parseImageReference(process.argv[2] ?? '');
  if (!parsed.ok) throw new Error(parsed.message);
  const tags = await listTags(parsed.reference, scanOptions(), AbortSignal.timeout(60_000));
  process.stdout.write(`${tags.length}\n`);
  await closeDispatchers();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
