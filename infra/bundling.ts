import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import { parse as parseYaml } from 'yaml';

/**
 * How every function is bundled (CDK NodejsFunction and `npm run bench:cold`
 * use the same options): minified ESM for Node 22 with source maps; the AWS
 * SDK v3 comes with the nodejs22.x runtime, so it is left out of the bundle.
 * The banner gives ESM bundles the `require` and `__dirname` that CommonJS
 * dependencies expect.
 */
export const BUNDLE_TARGET = 'node22';
/**
 * `yaml` (115 KB) is left out too: a bundle reads the settings bundled below,
 * and only a local run parses a settings file (shared/settings/settings.ts).
 */
export const EXTERNAL_MODULES = ['@aws-sdk/*', 'yaml'];
export const ESM_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; import { fileURLToPath as __fileURLToPath } from 'node:url'; import { dirname as __pathDirname } from 'node:path'; const require = __createRequire(import.meta.url); const __filename = __fileURLToPath(import.meta.url); const __dirname = __pathDirname(__filename);";

/** The settings file every bundle carries. */
export const SETTINGS_FILE = join(__dirname, '..', 'config', 'settings.yaml');

/**
 * config/settings.yaml as data, for esbuild's `define`: the identifier
 * `__BUNDLED_SETTINGS__` becomes this object literal in the bundle. Parsed
 * here (at synth), so a bad file fails the synth, not a cold start.
 */
export function settingsDefine(file: string = SETTINGS_FILE): Record<string, string> {
  return { __BUNDLED_SETTINGS__: JSON.stringify(parseYaml(readFileSync(file, 'utf8')) ?? {}) };
}

export const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: BUNDLE_TARGET,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  externalModules: EXTERNAL_MODULES,
  banner: ESM_BANNER,
  define: settingsDefine(),
  // Licence notes of dependencies stay in node_modules, not in every bundle.
  esbuildArgs: { '--legal-comments': 'none' },
};

/**
 * The same options for esbuild's API (what NodejsFunction passes on its
 * command line), for scripts and tests that bundle without CDK: each entry
 * becomes `<outdir>/<name>.mjs` with its `.map`.
 */
export function esbuildOptions(bundling: BundlingOptions = BUNDLING): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: bundling.format === OutputFormat.ESM ? 'esm' : 'cjs',
    outExtension: bundling.format === OutputFormat.ESM ? { '.js': '.mjs' } : {},
    ...(bundling.target !== undefined && { target: bundling.target }),
    minify: bundling.minify ?? false,
    sourcemap: bundling.sourceMap ?? false,
    sourcesContent: bundling.sourcesContent ?? true,
    ...(bundling.mainFields !== undefined && { mainFields: bundling.mainFields }),
    external: bundling.externalModules ?? ['@aws-sdk/*'],
    ...(bundling.banner !== undefined && { banner: { js: bundling.banner } }),
    ...(bundling.define !== undefined && { define: bundling.define }),
    ...(bundling.loader !== undefined && { loader: bundling.loader as BuildOptions['loader'] }),
    ...(bundling.esbuildArgs?.['--legal-comments'] !== undefined && { legalComments: bundling.esbuildArgs['--legal-comments'] as BuildOptions['legalComments'] }),
    logLevel: 'warning',
  };
}
