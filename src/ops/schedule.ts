/**
 * Runs tasks over a dependency graph: each starts as soon as everything it waits for is done (and one of the
 * `concurrency` slots is free), so independent phases (data and compute) run at the same time. A failed task skips
 * whatever waits for it.
 */

export type Outcome = { readonly status: "done" } | { readonly status: "failed"; readonly error: unknown } | { readonly status: "skipped"; readonly because: string };

export async function runGraph<T extends string>(
  nodes: readonly T[],
  waitsFor: (node: T) => readonly T[],
  task: (node: T) => Promise<void>,
  concurrency = Number.POSITIVE_INFINITY,
): Promise<Map<T, Outcome>> {
  const slot = limiter(concurrency);
  const outcomes = new Map<T, Outcome>();
  const running = new Map<T, Promise<Outcome>>();
  const start = (node: T): Promise<Outcome> => {
    const existing = running.get(node);
    if (existing) return existing;
    const promise = (async (): Promise<Outcome> => {
      const before = waitsFor(node).filter((other) => nodes.includes(other));
      const results = await Promise.all(before.map((other) => start(other).then((outcome) => [other, outcome] as const)));
      const blocker = results.find(([, outcome]) => outcome.status !== "done");
      if (blocker) return { status: "skipped", because: blocker[0] };
      try {
        await slot(() => task(node));
        return { status: "done" };
      } catch (error) {
        return { status: "failed", error };
      }
    })();
    running.set(node, promise);
    return promise;
  };
  await Promise.all(nodes.map(async (node) => outcomes.set(node, await start(node))));
  return new Map(nodes.map((node) => [node, outcomes.get(node) as Outcome]));
}

/** Runs at most `size` of the functions it is given at a time, the others in the order they came. */
function limiter(size: number): (work: () => Promise<void>) => Promise<void> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running < size) running += 1;
    else await new Promise<void>((start) => waiting.push(start));
    try {
      await work();
    } finally {
      // A finished function hands its slot to the next one waiting, so no newcomer can take it in between.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}
