import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { toExportJobDto } from '../../shared/http/presenters';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.getExportJob, deps, async ({ params, caller }) => toExportJobDto(await deps.exports.getJob(params.id, caller)));

export const handler = lambdaEntry(makeHandler);
