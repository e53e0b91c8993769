import type { AppDeps } from '../../shared/compose';
import * as cancelSession from './cancel-session';
import * as compareSessions from './compare-sessions';
import * as completeSession from './complete-session';
import * as createExportJob from './create-export-job';
import * as createWebhook from './create-webhook';
import * as deleteWebhook from './delete-webhook';
import * as downloadExportJob from './download-export-job';
import * as exportSessions from './export-sessions';
import * as failSession from './fail-session';
import * as getExportJob from './get-export-job';
import * as getJunior from './get-junior';
import * as getMentor from './get-mentor';
import * as getMentorHistory from './get-mentor-history';
import * as getMentorWorkload from './get-mentor-workload';
import * as getOpenApi from './get-openapi';
import * as getQueuePosition from './get-queue-position';
import * as getQueueStatus from './get-queue-status';
import * as getRetentionReport from './get-retention-report';
import * as getSession from './get-session';
import * as getSessionConfig from './get-session-config';
import * as getSessionTimeline from './get-session-timeline';
import * as getStory from './get-story';
import * as health from './health';
import * as listConfigTemplates from './list-config-templates';
import * as listJuniors from './list-juniors';
import * as listMentors from './list-mentors';
import * as listSessionEvents from './list-session-events';
import * as listSessions from './list-sessions';
import * as listStories from './list-stories';
import * as listWebhookDeliveries from './list-webhook-deliveries';
import * as listWebhooks from './list-webhooks';
import * as pauseSession from './pause-session';
import * as putJunior from './put-junior';
import * as putMentor from './put-mentor';
import * as putStory from './put-story';
import * as reassignMentor from './reassign-mentor';
import * as recordWorkflowEvent from './record-workflow-event';
import * as redriveSessionEngine from './redrive-session-engine';
import * as resumeSession from './resume-session';
import * as retryExportJob from './retry-export-job';
import type { RouteName } from './routes';
import * as setSessionHold from './set-session-hold';
import * as startSession from './start-session';
import * as updateSessionConfig from './update-session-config';
import * as updateWebhook from './update-webhook';

type MakeHandler = (deps: AppDeps) => (event: never, context: never) => Promise<unknown>;

/** Every route's handler factory, by route name: what the local server mounts. */
export const HANDLERS: Record<RouteName, { makeHandler: MakeHandler }> = {
  health,
  openApi: getOpenApi,
  startSession,
  listSessions,
  exportSessions,
  createExportJob,
  getExportJob,
  downloadExportJob,
  retryExportJob,
  compareSessions,
  getRetentionReport,
  getSession,
  getSessionTimeline,
  setSessionHold,
  redriveSessionEngine,
  listSessionEvents,
  pauseSession,
  resumeSession,
  cancelSession,
  completeSession,
  failSession,
  recordWorkflowEvent,
  getQueueStatus,
  getQueuePosition,
  getSessionConfig,
  updateSessionConfig,
  reassignMentor,
  getMentorHistory,
  getMentorWorkload,
  listConfigTemplates,
  putJunior,
  getJunior,
  listJuniors,
  putMentor,
  getMentor,
  listMentors,
  putStory,
  getStory,
  listStories,
  createWebhook,
  listWebhooks,
  updateWebhook,
  deleteWebhook,
  listWebhookDeliveries,
};
