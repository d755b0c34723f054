/** Bundles that take the engine a while: a CSV with many small mappings (slow to parse). */
import { SAMPLE_OPERATOR_FILES } from '../../src/infrastructure/demo/sample-operator.js';
import { zipOf } from './bundles.js';

export const SAMPLE_CSV = 'hello-operator.v1.0.0.clusterserviceversion.yaml';

/** The sample operator whose CSV has `rules` extra permission rules (~100 bytes each). */
export function manyRulesZip(rules: number): Uint8Array {
  const lines: string[] = [];
  for (let i = 0; i < rules; i++) {
    lines.push(
      `            - apiGroups: [g${i}.example.com]\n              resources: [r${i}]\n              verbs: [get, list]\n`,
    );
  }
  const csv = SAMPLE_OPERATOR_FILES[SAMPLE_CSV]!.replace(
    "              verbs: ['*']\n",
    `              verbs: ['*']\n${lines.join('')}`,
  );
  return zipOf({ ...SAMPLE_OPERATOR_FILES, [SAMPLE_CSV]: csv });
}
