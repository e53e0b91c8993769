import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { type Extras, withExports } from '../../shared/compose-extras';
import { httpRoute, RawBody, Redirect } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps & Pick<Extras, 'exports'>) =>
  httpRoute(ROUTES.downloadExportJob, deps, async ({ params, caller }) => {
    const { download, contentType, filename } = await deps.exports.download(params.id, caller);
    return download.kind === 'redirect' ? new Redirect(download.url) : new RawBody(contentType, download.body, filename);
  });

export const handler = lambdaEntry(makeHandler, process.env, (core) => withExports(core));
