// Entry point of the Tagline language server: over IPC inside VS Code, over `--stdio` in any other editor.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './languageServer';

startServer(createConnection(ProposedFeatures.all));
