/** Runs the same thing several times at once: what two agents, two workers or two processes do at the same moment. */
export async function atOnce<T>(times: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: times }, (_, i) => fn(i)));
}
