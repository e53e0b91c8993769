/** Ids chosen by callers for directory entries: 1-128 characters of A-Za-z0-9._- */
export const DIRECTORY_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

export interface Skill {
  /** The skill area, as a story names it (e.g. `typescript`, `aws`). */
  readonly area: string;
  /** 1 (novice) to 5 (expert). */
  readonly level: number;
}

export interface Junior {
  readonly id: string;
  readonly name: string;
  readonly skills: readonly Skill[];
}

export interface Mentor {
  readonly id: string;
  readonly name: string;
  readonly skills: readonly Skill[];
  /** This mentor's own cap; absent: the settings' per-mentor limit. It can only lower that limit. */
  readonly maxConcurrentSessions?: number;
  readonly available: boolean;
}

export interface Story {
  readonly id: string;
  readonly title: string;
  readonly skillArea: string;
}

export type DirectoryKind = 'junior' | 'mentor' | 'story';
export type DirectoryEntry<K extends DirectoryKind> = K extends 'junior' ? Junior : K extends 'mentor' ? Mentor : Story;
