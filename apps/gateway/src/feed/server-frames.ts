/** The start of an `update` frame: the stored quote JSON follows, then `}`. Built once per quote. */
export const UPDATE_HEAD = '{"type":"update","payload":';
/** The start of a `bar` frame: the stored bar JSON follows, then `}`. */
export const BAR_HEAD = '{"type":"bar","payload":';

const SEQ = /"seq":(\d+)/;

/** The seq of stored quote or bar JSON, read without parsing it (-1 if it has none). */
export function seqOf(json: string): number {
  return Number(SEQ.exec(json)?.[1] ?? -1);
}
