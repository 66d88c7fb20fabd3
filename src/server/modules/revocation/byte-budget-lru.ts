/**
 * A least-recently-used map bounded by the bytes its entries hold, not by how many there are: what a stranger
 * can make the OCSP responder remember (issue 16) must cost a fixed amount of memory however large each thing
 * asked is. The caller states each entry's size (its key and value as they sit on the heap, estimated); the
 * least recently used entries are dropped until the total is within the budget again.
 */
export class ByteBudgetLru<V> {
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly map = new Map<string, { value: V; bytes: number }>();
  private used = 0;

  constructor(readonly budget: number) {}

  /** The bytes the entries hold now (never above the budget). */
  get bytes(): number {
    return this.used;
  }
  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    // Most recently used goes last; re-inserting is cheaper than keeping a linked list beside the Map.
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  /** The entry without making it the most recently used (a scan must not reorder what it looks at). */
  peek(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  /** Remembers `value` as `bytes` big, dropping the least recently used entries to stay within the budget. */
  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.budget) return; // bigger than the whole budget: not worth emptying the cache for
    this.map.set(key, { value, bytes });
    this.used += bytes;
    for (const [k, e] of this.map) {
      if (this.used <= this.budget) break;
      this.map.delete(k);
      this.used -= e.bytes;
    }
  }

  delete(key: string): boolean {
    const e = this.map.get(key);
    if (!e) return false;
    this.map.delete(key);
    this.used -= e.bytes;
    return true;
  }

  clear(): void {
    this.map.clear();
    this.used = 0;
  }
}
