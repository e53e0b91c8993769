import type { SessionDetails } from './api';

/** ISO 8601 duration (PT1H2M3.5S, P1DT2H) to milliseconds. */
export function durationMs(iso: string): number {
  const m = /^(-)?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(iso);
  if (m === null) return 0;
  const [, sign, d = '0', h = '0', min = '0', s = '0'] = m;
  const ms = ((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s) * 1000;
  return sign === '-' ? -ms : ms;
}

/** Milliseconds as a short reading: 2 h 5 min, 3 min 20 s, 800 ms. */
export function humanMs(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest === 0) return '0 s';
  if (rest < 1000) return `${sign}${Math.round(rest)} ms`;
  const d = Math.floor(rest / 86_400_000);
  rest -= d * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const min = Math.floor(rest / 60_000);
  const s = Math.round((rest - min * 60_000) / 1000);
  const parts = [d && `${d} d`, h && `${h} h`, min && `${min} min`, !d && !h && s && `${s} s`].filter(Boolean);
  return `${sign}${parts.join(' ') || '0 s'}`;
}

export const humanDuration = (iso: string) => humanMs(durationMs(iso));

export function when(iso: string | undefined): string {
  if (iso === undefined) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export const shortId = (id: string) => id.slice(-8);

type Status = SessionDetails['status'];
export const STATUSES: readonly Status[] = ['Queued', 'Active', 'Paused', 'Completed', 'Failed', 'Cancelled'];

/** Each status's badge (Cloudscape StatusIndicator types). */
export const STATUS_INDICATOR: Readonly<Record<Status, 'pending' | 'in-progress' | 'warning' | 'success' | 'error' | 'stopped'>> = {
  Queued: 'pending',
  Active: 'in-progress',
  Paused: 'warning',
  Completed: 'success',
  Failed: 'error',
  Cancelled: 'stopped',
};

/** Fill colours for the timeline's status bands (light fills: the labels on them stay readable). */
export const STATUS_FILL: Readonly<Record<Status, string>> = {
  Queued: '#d9d9d9',
  Active: '#b7e3c0',
  Paused: '#ffd591',
  Completed: '#9fd3f5',
  Failed: '#ffb3b3',
  Cancelled: '#c8c8d8',
};
