import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { type Extras, withExports } from '../../shared/compose-extras';
import { toExportJobDto } from '../../shared/http/presenters';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps & Pick<Extras, 'exports'>) =>
  httpRoute(ROUTES.retryExportJob, deps, async ({ params, caller }) => toExportJobDto(await deps.exports.retryJob(params.id, caller)));

export const handler = lambdaEntry(makeHandler, process.env, (core) => withExports(core));
