// Seeding straight into distribution 2.x filesystem storage: one tiny image (config + layer + manifest) written
// as blobs once, then one small folder per tag. The running registry reads these folders on every request, so
// 50,000 tags appear in seconds, without a restart and without going through the variant's auth or TLS.
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';

const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} }));
// Not a real tar: the registry never looks inside a layer.
const layer = Buffer.from('tagline test layer');
const digestOf = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const manifest = Buffer.from(JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${digestOf(config)}`, size: config.length },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${digestOf(layer)}`, size: layer.length }],
}));
export const seededManifestDigest = `sha256:${digestOf(manifest)}`;

const v2 = (root: string) => join(root, 'docker/registry/v2');
const tagsFolder = (root: string, repo: string) => join(v2(root), 'repositories', repo, '_manifests/tags');

async function exists(path: string): Promise<boolean> {
  try { await access(path); return true; } catch { return false; }
}

async function writeLink(folder: string, hex: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'link'), `sha256:${hex}`);
}

async function ensureImage(root: string, repo: string): Promise<void> {
  const repoFolder = join(v2(root), 'repositories', repo);
  const manifestHex = digestOf(manifest);
  if (await exists(join(repoFolder, '_manifests/revisions/sha256', manifestHex, 'link'))) return;
  for (const blob of [config, layer, manifest]) {
    const hex = digestOf(blob);
    const folder = join(v2(root), 'blobs/sha256', hex.slice(0, 2), hex);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'data'), blob);
  }
  for (const blob of [config, layer]) await writeLink(join(repoFolder, '_layers/sha256', digestOf(blob)), digestOf(blob));
  await writeLink(join(repoFolder, '_manifests/revisions/sha256', manifestHex), manifestHex);
}

const validTag = /^[\w][\w.-]{0,127}$/;

export async function seedTags(root: string, repo: string, tags: string[]): Promise<void> {
  for (const tag of tags) if (!validTag.test(tag)) throw new Error(`cannot seed tag '${tag}': not a valid OCI tag`);
  await ensureImage(root, repo);
  const hex = digestOf(manifest);
  const folder = tagsFolder(root, repo);
  await mkdir(folder, { recursive: true });
  let next = 0;
  const worker = async () => {
    while (next < tags.length) {
      const tag = tags[next++]!;
      await writeLink(join(folder, tag, 'current'), hex);
      await writeLink(join(folder, tag, 'index/sha256', hex), hex);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

export async function deleteTags(root: string, repo: string, tags: string[]): Promise<void> {
  for (const tag of tags) await rm(join(tagsFolder(root, repo), tag), { recursive: true, force: true });
}
