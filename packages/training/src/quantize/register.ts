/**
 * A quantized version in the registry (Q33, Q18): read a registered fp32 version (its artifact hash
 * checked), quantize its weights with one scheme, store the result as its own content-addressed
 * artifact and register it as a new version of the same model. The scheme is in the artifact's
 * metadata.json and quantization.json, and the lineage (source version, its hash, the scheme) in the
 * version's data reference; the registry's metrics get the stored weight bytes and bits per weight.
 * Quality is not recorded here: it is measured on a holdout by whoever evaluates the version.
 */
import { loadArtifact, putArtifact, registerModel, resolve } from '@mlops-lab/registry';
import type { Services } from '@mlops-lab/services';
import { type QuantizeResult, quantizeArtifact } from './artifact.ts';
import { parseScheme, schemeName } from './scheme.ts';

export interface QuantizedVersion extends QuantizeResult {
  name: string;
  version: number;
  hash: string;
  /** The registry already held this exact artifact under `version`. */
  reused: boolean;
  scheme: string;
}

export async function registerQuantized(
  services: Pick<Services, 'pg'>,
  options: { from: string; scheme: string; minElements?: number; artifactsRoot?: string },
): Promise<QuantizedVersion> {
  const scheme = schemeName(parseScheme(options.scheme)); // refused before any query
  const source = await resolve(services.pg, options.from);
  const files = await loadArtifact(source.hash, { root: options.artifactsRoot });
  const q = quantizeArtifact(files, scheme, {
    minElements: options.minElements,
    from: { name: source.name, version: source.version, hash: source.hash },
  });
  const { hash } = await putArtifact(q.files, { root: options.artifactsRoot });
  const weights = q.report.reduce((a, t) => a + t.elements, 0);
  const registered = await registerModel(services.pg, {
    name: source.name,
    hash,
    dataRef: `${source.dataRef}; weights ${scheme} from ${source.name}@${source.version} (${source.hash.slice(0, 12)})`,
    metrics: { weightBytes: q.weightBytes, bitsPerWeight: (q.weightBytes * 8) / weights },
  });
  return { ...q, name: source.name, version: registered.version, hash, reused: registered.reused, scheme };
}
