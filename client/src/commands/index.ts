// Registers every Tagline command. Each handler returns a value so extension-host tests can assert on it.
import * as vscode from 'vscode';
import { getCondition } from '../../../common/flux/conditions';
import { Commands } from '../../../common/protocol';
import type { TaglineLog } from '../host/log';
import type { ReconcilerHost } from '../host/reconcilerHost';
import type { SignIns } from '../host/signIns';
import type { TaglineState } from '../host/state';
import type { TaglineStatusBar } from '../status/statusBar';
import type { DescribeProvider } from '../views/describeDocument';
import { copyCanonicalName, copyTag } from './clipboard';
import { createImageRepository } from './create';
import { openManifest, setSuspend } from './manifest';
import { signIn, signOut } from './registry';
import { resolveRepository } from './targets';
import { policyTarget } from './policyTargets';
import { errorMessage } from '../../../common/errors';

export interface CommandDeps {
  state: TaglineState;
  host: ReconcilerHost;
  statusBar: TaglineStatusBar;
  describe: DescribeProvider;
  signIns: SignIns;
  log: TaglineLog;
}

export function registerCommands(d: CommandDeps): vscode.Disposable[] {
  const { state, host } = d;
  const reg = (id: string, fn: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        d.log.error(`${id} failed: ${errorMessage(err)}`);
        void vscode.window.showErrorMessage(`Tagline: ${errorMessage(err)}`);
        return undefined;
      }
    });
  return [
    reg(Commands.rescan, async (arg) => {
      const key = await resolveRepository(arg, state, 'Rescan which ImageRepository?');
      if (!key) return undefined;
      if (state.get(key)?.object.spec.suspend === true) {
        void vscode.window.showInformationMessage(`${key} is suspended: Flux skips suspended objects. Resume it first.`);
        return undefined;
      }
      // Cancellable like "Rescan All": a registry that hangs must not leave the person waiting for spec.timeout.
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Tagline: rescanning ${key}`, cancellable: true },
        (_progress, token) => d.statusBar.withSpinner(`Scanning ${key}`, () => host.rescan(key, token)),
      );
      const ready = result && getCondition(result.status, 'Ready');
      if (ready?.status === 'False') void vscode.window.showWarningMessage(`${key}: ${ready.reason}: ${ready.message}`);
      return result;
    }),
    reg(Commands.rescanAll, async () => {
      const keys = state.all().filter((v) => v.object.spec.suspend !== true).map((v) => v.key);
      if (keys.length === 0) return 0;
      return vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Tagline: rescanning ImageRepositories', cancellable: true },
        async (progress, token) => {
          let last = 0;
          return host.rescanAll(keys, (done, total) => {
            progress.report({ message: `${done}/${total}`, increment: ((done - last) / total) * 100 });
            last = done;
          }, token);
        },
      );
    }),
    reg(Commands.describe, async (arg) => {
      const policy = policyTarget(arg, state);
      if (policy) return (await d.describe.show(policy, false, 'ImagePolicy')).uri.toString();
      const key = await resolveRepository(arg, state, 'Describe which ImageRepository?');
      return key ? (await d.describe.show(key, false)).uri.toString() : undefined;
    }),
    reg(Commands.showEvents, async (arg) => {
      const policy = policyTarget(arg, state);
      if (policy) return (await d.describe.show(policy, true, 'ImagePolicy')).uri.toString();
      const key = await resolveRepository(arg, state, 'Show the events of which ImageRepository?');
      return key ? (await d.describe.show(key, true)).uri.toString() : undefined;
    }),
    reg(Commands.openManifest, async (arg) => {
      const key = await resolveRepository(arg, state, 'Open which ImageRepository?');
      return key ? (await openManifest(key, state))?.document.uri.toString() : undefined;
    }),
    reg(Commands.suspend, async (arg) => {
      const key = await resolveRepository(arg, state, 'Suspend which ImageRepository?');
      return key ? setSuspend(key, true, state) : false;
    }),
    reg(Commands.resume, async (arg) => {
      const key = await resolveRepository(arg, state, 'Resume which ImageRepository?');
      return key ? setSuspend(key, false, state) : false;
    }),
    reg(Commands.copyTag, (arg) => copyTag(arg, state)),
    reg(Commands.copyCanonicalName, (arg) => copyCanonicalName(arg, state)),
    reg(Commands.clearDatabase, async (arg) => {
      // Tests pass `true` to skip the modal question.
      if (arg !== true) {
        const ok = await vscode.window.showWarningMessage(
          'Clear the Tagline tag database? Every ImageRepository is scanned again.', { modal: true }, 'Clear');
        if (ok !== 'Clear') return false;
      }
      await host.clearDatabase();
      d.log.info('tag database cleared');
      return true;
    }),
    reg(Commands.signIn, (arg) => signIn(d.signIns, state, arg)),
    reg('tagline.signOut', (arg) => signOut(d.signIns, arg)),
    reg(Commands.showLogs, () => d.log.channel.show(true)),
    reg(Commands.createImageRepository, async () => (await createImageRepository()).document.uri.toString()),
  ];
}
