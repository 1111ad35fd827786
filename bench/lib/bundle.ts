// Builds a Lambda entry exactly as the NodeFunction construct does (its LAMBDA_BUNDLING) and breaks its size down.
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { LAMBDA_BUNDLING } from '../../lib/constructs/node-function';

/**
 * The esbuild options `NodejsFunction` derives from LAMBDA_BUNDLING (aws-lambda-nodejs/lib/bundling.js); checked
 * byte for byte against the authorizer asset of `cdk synth`.
 */
export function cdkEsbuildOptions(): BuildOptions {
  const b = LAMBDA_BUNDLING;
  return {
    bundle: true,
    platform: 'node',
    target: b.target,
    format: b.format === OutputFormat.ESM ? 'esm' : 'cjs',
    minify: b.minify ?? false,
    sourcemap: b.sourceMap ?? false,
    external: b.externalModules ?? ['@aws-sdk/*'],
    ...(b.mainFields ? { mainFields: b.mainFields } : {}),
    logLevel: 'warning',
  };
}

export interface BundleResult {
  readonly file: string;
  readonly bytes: number;
  /** Output bytes by npm package (or `lambdas/...` for our own code), largest first. */
  readonly byPackage: readonly { readonly name: string; readonly kb: number }[];
}

export async function bundleEntry(
  entry: string,
  outfile: string,
  overrides: BuildOptions = {},
): Promise<BundleResult> {
  const result = await build({
    ...cdkEsbuildOptions(),
    ...overrides,
    entryPoints: [entry],
    outfile,
    metafile: true,
    write: true,
  });
  const output = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]];
  return { file: outfile, bytes: output.bytes, byPackage: byPackage(result.metafile) };
}

function byPackage(metafile: Metafile): BundleResult['byPackage'] {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
      const name = pkg ?? (input.split('/').slice(0, 2).join('/') || input);
      sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes]
    .sort((a, b) => b[1] - a[1])
    .map(([name, bytes]) => ({ name, kb: Math.round(bytes / 102.4) / 10 }));
}
