import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc counts CPU time in these ticks (100 a second on every common build). */
const TICKS_PER_SECOND = 100;

/** CPU time in ms a process has used (user + system), from /proc; undefined where /proc is not there. */
function processCpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export interface CpuSplit {
  /** This process: the load generator, the local server, the service and the SDK. */
  readonly nodeMs: number;
  /** DynamoDB Local's process, when its pid is known. */
  readonly storeMs?: number;
}

/** CPU each side spends on `work`, divided by `operations`. */
export async function cpuPer<T>(operations: number, storePid: number | undefined, work: () => Promise<T>): Promise<{ result: T; cpu: CpuSplit }> {
  const node = process.cpuUsage();
  const store = storePid === undefined ? undefined : processCpuMs(storePid);
  const result = await work();
  const nodeUsed = process.cpuUsage(node);
  const storeAfter = storePid === undefined ? undefined : processCpuMs(storePid);
  const cpu: CpuSplit = {
    nodeMs: (nodeUsed.user + nodeUsed.system) / 1000 / operations,
    ...(store !== undefined && storeAfter !== undefined && { storeMs: (storeAfter - store) / operations }),
  };
  return { result, cpu };
}

export const formatCpu = ({ nodeMs, storeMs }: CpuSplit) =>
  `node ${nodeMs.toFixed(2).padStart(5)} + store ${storeMs === undefined ? '    -' : storeMs.toFixed(2).padStart(5)} ms`;
