import { readFileSync } from 'node:fs';

export interface RssSampler {
  /** The highest sample so far, in bytes. */
  peak(): number;
  /** Stops sampling; the peak in bytes: the highest sample or the kernel's high-water mark, whichever is higher. */
  stop(): number;
}

const SAMPLE_EVERY_MS = 50;

/** A `/proc/<pid>/status` field in bytes (`VmRSS`, `VmHWM`), or 0 once the process is gone. */
export function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples the resident set of a process every 50 ms. */
export function sampleRss(pid: number): RssSampler {
  let peak = procStatusBytes(pid, 'VmRSS');
  const timer = setInterval(() => {
    peak = Math.max(peak, procStatusBytes(pid, 'VmRSS'));
  }, SAMPLE_EVERY_MS);
  return {
    peak: () => Math.max(peak, procStatusBytes(pid, 'VmRSS')),
    stop() {
      clearInterval(timer);
      return Math.max(peak, procStatusBytes(pid, 'VmRSS'), procStatusBytes(pid, 'VmHWM'));
    },
  };
}
