/**
 * The fetches the upstream adapters are tested over: the runtime's own (edge
 * runtimes, and the default), and the node:http transport the Node entry
 * gives them. A suite run over both shows any difference a user would see.
 */
import type { FetchLike } from '../../src/adapters/upstream/call.js';
import { createNodeHttpFetch } from '../../src/infrastructure/node-http-fetch.js';

export const transports: ReadonlyArray<readonly [name: string, fetch: FetchLike]> = [
  ['fetch', (url, init) => globalThis.fetch(url, init)],
  ['node:http', createNodeHttpFetch()],
];
