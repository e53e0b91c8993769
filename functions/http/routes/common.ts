/** The sessions' base path. */
export const S = '/api/mentorship/sessions';
/** The errors every authenticated route with a path id can answer. */
export const AUTH = [400, 401, 403, 404] as const;
