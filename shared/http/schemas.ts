/**
 * The wire schemas, written once: they validate requests, type the handlers and
 * the client, and generate the OpenAPI document. One module an area, under
 * schemas/; this module is the one place callers import them from.
 */
export * from './schemas/directory';
export * from './schemas/history';
export * from './schemas/primitives';
export * from './schemas/requests';
export * from './schemas/sessions';
export * from './schemas/webhooks';
