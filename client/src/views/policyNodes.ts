// ImagePolicy rows of the "Image Repositories" tree, under the repository they refer to:
// `storefront · semver >=1.0.0 → 1.10.0`, with the icon of its conditions, as `flux get image policy` lists
// them (name, then the tag it resolved to).
import * as vscode from 'vscode';
import { getCondition, isStalled } from '../../../common/flux/conditions';
import { policyKind } from '../../../common/flux/policy/policies';
import type { ImagePolicySpec } from '../../../common/model';
import type { Health } from '../host/health';
import type { PolicyView } from '../host/policyState';

/** ready / failing / stalled / suspended / unknown (never reconciled), from the policy's conditions. */
export function policyHealth(view: PolicyView): Health {
  if (view.object.spec.suspend === true) return 'suspended';
  if (!view.status) return 'unknown';
  if (isStalled(view.status)) return 'stalled';
  const ready = getCondition(view.status, 'Ready');
  if (ready?.status === 'True') return 'ready';
  if (ready?.status === 'False') return 'failing';
  return 'unknown';
}

/** `semver >=1.0.0`, `alphabetical desc`, `numerical asc`: the policy kind the controller uses, with its setting. */
export function policyChoice(spec: ImagePolicySpec): string {
  const kind = policyKind(spec.policy ?? {});
  if (kind === 'semver') return `semver ${spec.policy.semver?.range ?? ''}`.trim();
  if (kind === 'alphabetical') return `alphabetical ${spec.policy.alphabetical?.order ?? 'asc'}`;
  if (kind === 'numerical') return `numerical ${spec.policy.numerical?.order ?? 'asc'}`;
  return 'no policy';
}

/** `semver >=1.0.0 → 1.10.0`, or the failing reason instead of the tag. */
export function policyDescription(view: PolicyView, health: Health): string {
  const choice = policyChoice(view.object.spec);
  if (health === 'suspended') return `${choice} · suspended`;
  const ready = view.status && getCondition(view.status, 'Ready');
  if ((health === 'failing' || health === 'stalled') && ready) return `${choice} · ${ready.reason}`;
  const latest = view.status?.latestRef;
  return latest ? `${choice} → ${latest.tag}` : choice;
}

/** A policy row; `drift` are cluster mode's words for it (`⚠ prod: spec differs …`), appended to the description. */
export function policyItem(view: PolicyView | undefined, key: string, icons: Record<Health, vscode.ThemeIcon>, drift: string[] = []): vscode.TreeItem {
  const name = key.split('/')[1] ?? key;
  const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
  item.id = `policy:${key}`;
  if (!view) return item;
  const health = policyHealth(view);
  item.iconPath = icons[health];
  item.description = [policyDescription(view, health), ...drift].join(' · ');
  item.contextValue = 'imagePolicy';
  item.accessibilityInformation = { label: `ImagePolicy ${name}, ${health}, ${item.description}` };
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**ImagePolicy ${key}** — ${health}\n\n`);
  const latest = view.status?.latestRef;
  if (latest) md.appendMarkdown(`latest: \`${latest.name}:${latest.tag}${latest.digest ? `@${latest.digest}` : ''}\`  \n`);
  for (const c of view.status?.conditions ?? []) {
    md.appendMarkdown(`\n$(${c.status === 'True' ? 'check' : c.status === 'False' ? 'x' : 'question'}) **${c.type}=${c.status}** ${c.reason}: `);
    md.appendText(c.message);
  }
  item.tooltip = md;
  if (view.object.source) {
    const r = view.object.source.range;
    item.command = {
      command: 'vscode.open', title: 'Open manifest',
      arguments: [vscode.Uri.parse(view.object.source.uri), { selection: new vscode.Range(r.start.line, 0, r.start.line, 0) }],
    };
  }
  return item;
}
