/**
 * The session lifecycle, one module a move (a map for readers; domain modules
 * import the modules themselves):
 * - transitions.ts: the status-change table, the caller's operations (`transition`) and `changeStatus`;
 * - session-write.ts: the one version bump (`bump`, `advance`) and event numbering (`withEvents`);
 * - start.ts: a start, the queue, a dequeue;
 * - workflow-report.ts: the engine's reports;
 * - reassignment.ts: mentor changes;
 * - engine-sync.ts: reverts, divergences and the started instance;
 * - timeout.ts: deadlines that passed.
 */
export * from './engine-sync';
export * from './reassignment';
export * from './session-write';
export * from './start';
export * from './timeout';
export * from './workflow-report';
