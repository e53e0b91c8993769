import { request as httpRequest } from 'node:http';
import { startLocalApp, type LocalApp } from '../support/local-app';

let app: LocalApp;
beforeAll(async () => { app = await startLocalApp(); });
afterAll(() => app.close());

function rawHttp(url: string, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('probe', async () => {
  const c = await app.as('coord', 'coordinator');
  const s = await app.as('engine', 'service');
  await c.putStory('s1', { title: 'T', skillArea: 'ts' });
  await c.putJunior('j1', { name: 'J' });
  const out: Record<string, unknown> = {};
  const start = async () => (await c.startSession({ storyId: 's1', juniorId: 'j1' })).sessionId;
  const post = async (cl: typeof c, path: string, body: unknown) => {
    const r = await cl.raw('POST', path, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return `${r.status} ${r.text.slice(0, 200)}`;
  };
  const id = await start();
  const rawPost = async (cl: typeof c, path: string, body: string, method = 'POST') => {
    const r = await cl.raw(method, path, { body, headers: { 'content-type': 'application/json' } });
    return `${r.status} ${r.text.slice(0, 200)}`;
  };
  const now = new Date().toISOString();
  out.loneEventId = await rawPost(s, `/api/mentorship/sessions/${id}/workflow-events`, `{"type":"info","eventId":"\\ud800","occurredAt":"${now}"}`);
  out.loneMessage = await rawPost(s, `/api/mentorship/sessions/${id}/workflow-events`, `{"type":"info","eventId":"m1","occurredAt":"${now}","message":"\\ud800"}`);
  out.loneDataKey = await rawPost(s, `/api/mentorship/sessions/${id}/workflow-events`, `{"type":"info","eventId":"m2","occurredAt":"${now}","data":{"\\udc00":1}}`);
  out.loneNotes = await rawPost(c, `/api/mentorship/sessions/${id}/pause`, `{"reason":"\\ud800"}`);
  out.loneName = await rawPost(c, `/api/mentorship/juniors/jx`, `{"name":"\\ud800"}`, 'PUT');
  out.getLone = (await c.raw('GET', `/api/mentorship/juniors/jx`)).text;
  out.nul = await rawPost(c, `/api/mentorship/juniors/jy`, `{"name":"a\\u0000b"}`, 'PUT');
  out.det = (await c.raw('GET', `/api/mentorship/sessions/${id}`)).status;
  console.log(JSON.stringify(out, null, 1));
});
