import { lambdaEntry, type CoreDeps } from '../../shared/compose-core';
import { withExports, type Extras } from '../../shared/compose-extras';
import { httpRoute } from '../../shared/http/route';
import { toExportJobDto } from '../../shared/http/presenters';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps & Pick<Extras, 'exports'>) =>
  httpRoute(ROUTES.createExportJob, deps, async ({ body, caller }) => {
    const { sortBy, sortDirection, format, ...filter } = body;
    return toExportJobDto(await deps.exports.createJob({ filter, order: { sortBy, sortDirection }, ...(format !== undefined && { format }) }, caller));
  });

export const handler = lambdaEntry(makeHandler, process.env, (core) => withExports(core));
