/** What the generator says it did, read from its log: the shutdown summary and each failed batch. */
export interface GeneratorReport {
  /** Ticks the brokers acknowledged, from `flushed: X ticks published, Y failed`. */
  published: number;
  /** Ticks given up on, from the same line. */
  failed: number;
  /** Sum of every `failed to publish N ticks` line. */
  failedInLog: number;
}

/** Reads the report from the output of a generator that has stopped; throws if it never flushed. */
export function generatorReport(output: string): GeneratorReport {
  const flushed = /flushed: (\d+) ticks published, (\d+) failed/.exec(output);
  if (!flushed) throw new Error(`the generator logged no "flushed:" line:\n${output.slice(-3000)}`);
  let failedInLog = 0;
  for (const match of output.matchAll(/failed to publish (\d+) ticks/g)) failedInLog += Number(match[1]);
  return { published: Number(flushed[1]), failed: Number(flushed[2]), failedInLog };
}
