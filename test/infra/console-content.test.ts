import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConsoleContentStack, NOT_BUILT_PAGE } from '../../infra/stacks/console-content-stack';
import { ConsoleHostingStack } from '../../infra/stacks/console-hosting-stack';

/** The console stacks alone: a synth without a built console still works (offline, no Docker) and deploys a page saying so. */

/** The files of every asset directory the synth wrote, by name (index.html, config.json, ...). */
function assetFiles(outdir: string, name: string): string[] {
  return readdirSync(outdir)
    .filter((entry) => entry.startsWith('asset.') && existsSync(join(outdir, entry, name)))
    .map((entry) => readFileSync(join(outdir, entry, name), 'utf8'));
}

function synth(distDir: string) {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'console-synth-')) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const hosting = new ConsoleHostingStack(app, 'Hosting', { authDomainPrefix: 'mentorship-test' });
  const content = new ConsoleContentStack(app, 'Content', {
    bucketArnExportName: hosting.bucketArnExportName,
    distribution: hosting.distribution,
    distDir,
    config: { apiUrl: 'https://api.example.org', authority: 'https://cognito-idp.eu-west-1.amazonaws.com/pool', clientId: 'client', domain: 'https://auth.example.org' },
  });
  content.addStackDependency(hosting);
  const assembly = app.synth();
  return { assembly, content, outdir: assembly.directory };
}

test('without console/dist, synth succeeds (cdk-nag clean) and the deployment carries the not-built page and config.json', () => {
  const missing = join(tmpdir(), 'no-such-console-dist');
  const { content, outdir } = synth(missing);
  try {
    const [deployment] = Object.values(Template.fromStack(content).findResources('Custom::CDKBucketDeployment'));
    expect(deployment!.Properties.SourceObjectKeys).toHaveLength(2);
    expect(assetFiles(outdir, 'index.html')).toEqual([NOT_BUILT_PAGE]);
    expect(assetFiles(outdir, 'config.json').map((text) => JSON.parse(text))).toEqual([
      {
        auth: 'cognito',
        apiUrl: 'https://api.example.org',
        authority: 'https://cognito-idp.eu-west-1.amazonaws.com/pool',
        clientId: 'client',
        domain: 'https://auth.example.org',
      },
    ]);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});

test('with a built console, its directory is the deployment asset', () => {
  const { content, outdir } = synth(join(__dirname, '..', '..', 'console', 'dist'));
  try {
    const [deployment] = Object.values(Template.fromStack(content).findResources('Custom::CDKBucketDeployment'));
    expect(deployment!.Properties.SourceObjectKeys).toHaveLength(2);
    const [index] = assetFiles(outdir, 'index.html');
    expect(index).toContain('<div id="root"></div>');
    expect(index).toMatch(/src="\.\/assets\/index-[\w-]+\.js"/);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
