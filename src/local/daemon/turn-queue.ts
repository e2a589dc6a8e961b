/**
 * Turn-taking for writes by what they touch (item keys, partitions: any strings): a write waits
 * for the earlier writes that touch one of the same things, and for no other. Writes enter in
 * arrival order, each with all it touches at once, so they take their turns in that order and a
 * write never waits for a later one (no deadlock).
 */
export class TurnQueue {
  /** The last write to enter for each thing touched: settled once it is done. */
  private readonly lastOf = new Map<string, Promise<void>>();

  /** Enters a write (call in arrival order); `turn` settles when it may run, `leave` once it is done. */
  enter(touched: readonly string[]): { turn: Promise<unknown>; leave: () => void } {
    const wanted = [...new Set(touched)];
    const turn = Promise.all(wanted.flatMap((id) => this.lastOf.get(id) ?? []));
    let leave = () => {};
    const leaving = new Promise<void>((resolve) => {
      leave = resolve;
    });
    // Done once it has left *and* its turn has come: a write that leaves early (it failed before
    // its turn) still holds back the later ones until the earlier ones are done.
    const done = Promise.all([turn, leaving]).then(() => {});
    for (const id of wanted) this.lastOf.set(id, done);
    void done.then(() => {
      for (const id of wanted) {
        if (this.lastOf.get(id) === done) this.lastOf.delete(id);
      }
    });
    return { turn, leave };
  }

  /** How many things a write not yet done touches (none once every write has left). */
  get busy(): number {
    return this.lastOf.size;
  }
}
