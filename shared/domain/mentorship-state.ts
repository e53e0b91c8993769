/**
 * The parent platform's MentorshipState vocabulary (spec/mentorship-vocabulary.md).
 * Wire form is the exact upper-case name.
 */
export const MENTORSHIP_STATE_GROUPS = {
  initialization: ['INIT_STORY_PROCESSING', 'VALIDATE_STORY'],
  assessment: ['ASSESS_JUNIOR_CAPABILITY', 'CLARIFY_REQUIREMENTS', 'RE_EXPLAIN_STORY'],
  planning: ['PLAN_DECOMPOSITION', 'REVIEW_PLAN', 'ADJUST_PLAN'],
  implementation: ['START_IMPLEMENTATION', 'MONITOR_PROGRESS', 'PROVIDE_GUIDANCE', 'DETECT_PATTERN'],
  blockers: ['DIAGNOSE_BLOCKER', 'PROVIDE_HINT', 'PROVIDE_ASSISTANCE', 'ESCALATE_TO_SENIOR'],
  quality: ['QUALITY_GATE_CHECK', 'AUTO_FIX_ISSUES', 'MANUAL_FIX_REQUIRED'],
  review: ['PREPARE_CODE_REVIEW', 'MONITOR_REVIEW', 'GUIDE_FIXES', 'RE_REQUEST_REVIEW'],
  completion: ['MERGE_AND_COMPLETE', 'GENERATE_REPORT', 'UPDATE_SKILL_PROFILE', 'COMPLETED'],
  exception: ['PAUSED', 'CANCELLED', 'FAILED', 'TIMEOUT'],
} as const;

export type MentorshipState = (typeof MENTORSHIP_STATE_GROUPS)[keyof typeof MENTORSHIP_STATE_GROUPS][number];

export const MENTORSHIP_STATES = Object.values(MENTORSHIP_STATE_GROUPS).flat() as readonly MentorshipState[];

/** Where every new session begins once its workflow starts. */
export const INITIAL_STATE: MentorshipState = 'INIT_STORY_PROCESSING';

/**
 * States this service sets itself through lifecycle operations. The engine
 * cannot report them: pausing, cancelling, failing and timing out go through
 * the lifecycle routes so that status, slots and audit move together.
 */
export const SERVICE_OWNED_STATES = MENTORSHIP_STATE_GROUPS.exception;

/** States the engine may report through a `state_changed` callback. */
export const ENGINE_REPORTABLE_STATES = MENTORSHIP_STATES.filter((state) => !(SERVICE_OWNED_STATES as readonly string[]).includes(state)) as readonly MentorshipState[];

/** Progress events of the vocabulary: reported by the engine, kept verbatim in the audit log. */
export const WORKFLOW_PROGRESS_EVENTS = [
  'assessment_completed',
  'assessment_timeout',
  'blocker_detected',
  'blocker_resolved',
  'blocker_diagnosed',
  'quality_gate_run',
  'code_review_prepared',
  'code_review_submitted',
  'code_review_approved',
  'code_review_changes_requested',
  'progress_update',
  'guidance_provided',
  'hint_provided',
  'escalation_triggered',
  'escalated_to_senior',
  'merge_completed',
  'report_generated',
  'skill_profile_updated',
  'error',
  'warning',
  'info',
] as const;
export type WorkflowProgressEvent = (typeof WORKFLOW_PROGRESS_EVENTS)[number];
