import { lambdaEntry, type CoreDeps } from '../../shared/compose-core';
import { withExports, type Extras } from '../../shared/compose-extras';
import { httpRoute } from '../../shared/http/route';
import { toExportJobDto } from '../../shared/http/presenters';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps & Pick<Extras, 'exports'>) =>
  httpRoute(ROUTES.getExportJob, deps, async ({ params, caller }) => toExportJobDto(await deps.exports.getJob(params.id, caller)));

export const handler = lambdaEntry(makeHandler, process.env, (core) => withExports(core));
