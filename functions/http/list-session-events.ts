import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { CONTENT_TYPES, serialize } from '../../shared/domain/export-format';
import { audienceOf, EVENT_EXPORT_COLUMNS, eventFor, toEventDto } from '../../shared/http/presenters';
import { httpRoute, RawBody } from '../../shared/http/route';
import { ROUTES } from './routes';

/** One session's audit log: JSON, or CSV (`format=csv`, one row per event, `data` as JSON text). */
export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.listSessionEvents, deps, async ({ params, query, caller }) => {
    const events = await deps.sessions.getSessionEvents(params.id, caller);
    const audience = audienceOf(caller);
    if (query.format === 'json') return { sessionId: params.id, items: events.map((event) => toEventDto(event, audience)) };
    async function* rows() {
      for (const event of events) yield eventFor(event, audience);
    }
    let body = '';
    for await (const chunk of serialize('csv', EVENT_EXPORT_COLUMNS, rows(), (event) => event)) body += chunk;
    return new RawBody(CONTENT_TYPES.csv, body, `session-${params.id}-events.csv`);
  });

export const handler = lambdaEntry(makeHandler);
