import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { type Extras, withExports } from '../../shared/compose-extras';
import { FILE_EXTENSIONS } from '../../shared/domain/export-format';
import { httpRoute, RawBody } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps & Pick<Extras, 'exports'>) =>
  httpRoute(ROUTES.exportSessions, deps, async ({ query, caller }) => {
    const { sortBy, sortDirection, format, ...filter } = query;
    const exported = await deps.exports.text({ filter, order: { sortBy, sortDirection }, ...(format !== undefined && { format }) }, caller);
    return new RawBody(exported.contentType, exported.body, `sessions.${FILE_EXTENSIONS[exported.format]}`);
  });

export const handler = lambdaEntry(makeHandler, process.env, (core) => withExports(core));
