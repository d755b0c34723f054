/** `npm run demo`: the app on the embedded default (in-memory upstreams, seeded). */

import { bundleThreads } from './bundle-threads.js';
import { embeddedConfig, embeddedUpstreams, NOT_AN_OPERATOR_NVR } from './demo/embedded.js';
import { SAMPLE_NVR } from './demo/sample-operator.js';
import { listenAddress, serveOnNode } from './node-server.js';
import { runtimeProblem } from './runtime.js';

async function demo(): Promise<void> {
  const problem = runtimeProblem();
  if (problem) throw new Error(problem);
  const config = embeddedConfig();
  const upstreams = embeddedUpstreams();
  const { port, host } = listenAddress(process.env);
  const server = await serveOnNode(config, { port, host }, upstreams, bundleThreads(process.env));
  const base = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${server.port}`;
  console.log(
    [
      '',
      `OMPS demo on ${base} (in-memory Quay, Koji and Greenwave; any non-empty token is accepted)`,
      `  seeded Koji build (operator):     ${SAMPLE_NVR}`,
      `  seeded Koji build (not operator): ${NOT_AN_OPERATOR_NVR}`,
      `  try: curl -H 'Authorization: demo' -F file=@examples/sample-operator.zip ${base}/v2/myorg/zipfile`,
      `       curl -H 'Authorization: demo' -X POST ${base}/v2/myorg/koji/${SAMPLE_NVR}`,
      '',
    ].join('\n'),
  );
}

demo().catch((e) => {
  console.error(`omps demo: ${(e as Error).message}`);
  process.exit(1);
});
