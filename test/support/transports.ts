/**
 * The fetches the upstream adapters are tested over: the runtime's own (edge
 * runtimes, and the default), and the node:http transport the Node entry
 * gives them. A suite run over both shows any difference a user would see.
 */

import { createNodeHttpFetch } from '../../src/adapters/node-native/node-http-fetch.js';
import type { FetchLike } from '../../src/adapters/upstream/call.js';

export const transports: ReadonlyArray<readonly [name: string, fetch: FetchLike]> = [
  ['fetch', (url, init) => globalThis.fetch(url, init)],
  ['node:http', createNodeHttpFetch()],
];
