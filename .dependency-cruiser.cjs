/**
 * Layers and cycles, checked by a tool instead of by review (STYLE.md, "Layers checked by a tool").
 * Run by `npm run lint` as `depcruise --config .dependency-cruiser.cjs shared functions infra scripts test console/src`.
 *
 * The layers, inside out: shared/domain (pure) <- shared/ports <- shared/services <- shared/adapters and
 * shared/http <- shared/compose*.ts <- functions/ <- infra/ and scripts/. Every rule is data: `from` is the
 * importing file, `to` the imported module (a path relative to the repository root; npm packages resolve to
 * node_modules/..., Node builtins to their bare name such as `node:crypto`).
 *
 * Type-only imports count (`tsPreCompilationDeps: true`): they vanish from the JavaScript, but a reader still
 * has to follow them, and a type cycle between two files is still a cycle between two ideas.
 */

/** Modules inside this repository (the targets the layer allowlists talk about). */
const PROJECT = '^(shared|functions|infra|scripts|test)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      // A cycle means neither file can be read, tested or moved without the other.
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycle: break it by moving the shared part into its own module or one layer down.',
      from: { path: '^(shared|functions|infra|scripts)/' },
      to: { circular: true },
    },
    {
      // The domain is the code a reader opens first: pure, no I/O, no npm package, no Node builtin, no layer above it.
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'shared/domain imports only shared/domain (no builtins, no npm packages, no other layer).',
      from: { path: '^shared/domain/' },
      to: { pathNot: '^shared/domain/' },
    },
    {
      // Ports are named in domain terms: their signatures use domain types only.
      name: 'ports-use-only-domain',
      severity: 'error',
      comment: 'shared/ports imports only shared/domain and shared/ports.',
      from: { path: '^shared/ports/' },
      to: { pathNot: '^shared/(domain|ports)/' },
    },
    {
      // Services orchestrate through ports; what the ports hide (HTTP shapes, adapters, wiring) must stay hidden.
      name: 'services-see-domain-ports-settings',
      severity: 'error',
      comment:
        'shared/services imports only shared/domain, shared/ports, shared/settings and shared/services from this repository (never http, adapters, compose, functions, infra).',
      from: { path: '^shared/services/' },
      to: { path: PROJECT, pathNot: '^shared/(domain|ports|settings|services)/' },
    },
    {
      // An SDK client in a service is an adapter in disguise: it belongs behind a port.
      name: 'services-no-aws-sdk',
      severity: 'error',
      comment: 'shared/services never imports an @aws-sdk/* package: put the call behind a port and an adapter.',
      from: { path: '^shared/services/' },
      to: { path: '(^|/)node_modules/@aws-sdk/' },
    },
    {
      // Adapters translate one technology to one port; they never reach up into the HTTP edge or the wiring.
      name: 'adapters-below-http',
      severity: 'error',
      comment: 'shared/adapters imports only shared/domain, ports, services, settings, observability and shared/adapters from this repository (never shared/http).',
      from: { path: '^shared/adapters/' },
      to: { path: PROJECT, pathNot: '^shared/(domain|ports|services|settings|observability|adapters)/' },
    },
    {
      // The HTTP edge maps requests to services; it never picks a concrete adapter (the composition root does).
      name: 'http-beside-adapters',
      severity: 'error',
      comment: 'shared/http imports only shared/domain, ports, services, settings, observability and shared/http from this repository (never shared/adapters).',
      from: { path: '^shared/http/' },
      to: { path: PROJECT, pathNot: '^shared/(domain|ports|services|settings|observability|http)/' },
    },
    {
      // The composition root wires the core; what uses the core (handlers, infra, scripts, tests) sits above it.
      name: 'compose-within-shared',
      severity: 'error',
      comment: 'shared/compose*.ts and shared/lambda-entry.ts import anything in shared/, nothing from functions/, infra/, scripts/ or test/.',
      from: { path: '^shared/(compose[^/]*|lambda-entry)\\.ts$' },
      to: { path: PROJECT, pathNot: '^shared/' },
    },
    {
      // Settings are read by services and adapters: they may know the domain's shapes, nothing that uses them.
      name: 'settings-use-only-domain',
      severity: 'error',
      comment: 'shared/settings imports only shared/domain and shared/settings.',
      from: { path: '^shared/settings/' },
      to: { path: PROJECT, pathNot: '^shared/(domain|settings)/' },
    },
    {
      // Logging and metrics sit beside the adapters: they may see the domain and the ports, not the use cases.
      name: 'observability-below-services',
      severity: 'error',
      comment: 'shared/observability imports only shared/domain, shared/ports and shared/observability.',
      from: { path: '^shared/observability/' },
      to: { path: PROJECT, pathNot: '^shared/(domain|ports|observability)/' },
    },
    {
      // Nothing in the core reaches up into the composition root.
      name: 'core-not-compose',
      severity: 'error',
      comment: 'shared/domain, ports, services, adapters, http, settings and observability never import shared/compose*.ts or shared/lambda-entry.ts.',
      from: { path: '^shared/(domain|ports|services|adapters|http|settings|observability|client)/' },
      to: { path: '^shared/(compose[^/]*|lambda-entry)\\.ts$' },
    },
    {
      // A handler is deployed by infra; importing infra would bundle CDK into a Lambda.
      name: 'functions-not-infra',
      severity: 'error',
      comment: 'functions/ imports shared/ and functions/, never infra/ or scripts/.',
      from: { path: '^functions/' },
      to: { path: '^(infra|scripts)/' },
    },
    {
      // Shipped code never depends on test support: it would be bundled and would blur what is real.
      name: 'no-test-in-shipped-code',
      severity: 'error',
      comment: 'Nothing in shared/ or functions/ imports test/.',
      from: { path: '^(shared|functions)/' },
      to: { path: '^test/' },
    },
    {
      // The typed client is what the console bundles: the request and response schemas, and nothing server-side.
      name: 'client-only-schemas',
      severity: 'error',
      comment: 'shared/client imports only shared/http/schemas.ts and shared/domain (no other module, no npm package).',
      from: { path: '^shared/client/' },
      to: { pathNot: '^shared/(http/schemas\\.ts$|domain/|client/)' },
    },
    {
      // The console is a client of the API like any other: it sees the typed client and what the client re-exports.
      name: 'console-only-client',
      severity: 'error',
      comment: 'console/ imports only console/, shared/client and npm packages (never the core, the handlers, infra, scripts or tests).',
      from: { path: '^console/' },
      to: { path: PROJECT, pathNot: '^shared/client/' },
    },
    {
      // Nothing the service ships or deploys builds on the console's code (infra hosts its built files, never imports them).
      // One exception: a unit test checks the console's role table against the domain's (console-permissions.test.ts).
      name: 'nothing-imports-console',
      severity: 'error',
      comment: 'shared/, functions/, infra/, scripts/ and test/ never import console/ (test/unit may read console/src/permissions.ts).',
      from: { path: PROJECT },
      to: { path: '^console/', pathNot: '^console/src/permissions\\.ts$' },
    },
  ],
  options: {
    // Type-only imports are dependencies too (see the header).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Report the import of an npm package, never walk inside it (excluding node_modules would drop those imports).
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(cdk\\.out|coverage|dist|\\.data)/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json', '.d.ts'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
