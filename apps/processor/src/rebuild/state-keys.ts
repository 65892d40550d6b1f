import { slotOf } from '#app/redis';

const SLOTS = 16_384;
let slotTags: string[] | undefined;

/** A hash tag for every cluster slot (the shortest base-36 strings that land in it), found once. */
function tagsOfSlots(): string[] {
  if (slotTags) return slotTags;
  const tags = new Array<string>(SLOTS);
  let found = 0;
  for (let i = 0; found < SLOTS; i++) {
    const tag = i.toString(36);
    const slot = slotOf(`{${tag}}`);
    if (tags[slot] === undefined) {
      tags[slot] = tag;
      found++;
    }
  }
  slotTags = tags;
  return tags;
}

/**
 * Where Redis says whose run its data is whole in (see RedisState): one key on a single server; in a
 * cluster one per slot, because a script's keys must share the slot of the symbols it writes, and a
 * shard that loses its data must be told apart from the others.
 */
export class StateKeys {
  constructor(
    private readonly prefix: string,
    private readonly cluster: boolean,
  ) {}

  forSlot(slot: number): string {
    return this.cluster ? `${this.prefix}state:{${tagsOfSlots()[slot]}}` : `${this.prefix}state`;
  }

  /** Every state key with its slot (0 on a single server). */
  all(): Array<{ slot: number; key: string }> {
    if (!this.cluster) return [{ slot: 0, key: this.forSlot(0) }];
    return tagsOfSlots().map((tag, slot) => ({ slot, key: `${this.prefix}state:{${tag}}` }));
  }
}
