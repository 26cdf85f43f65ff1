/**
 * PGlite runs each statement synchronously on this thread and answers through promises that settle
 * as microtasks, never through the event loop. A chain of statements, such as a queue of 332 alert
 * diagnoses taken one after the other or a demo history being written, therefore never lets a timer,
 * a socket or an HTTP request in until it ends: stalls of 5–30 s were measured while the demo loaded
 * (docs/benchmarks.md, "Demo start"). Here every statement first waits for one turn of the event loop,
 * a few microseconds when nothing else is waiting, so the longest stall is one statement.
 */
import { PGlite, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function yieldingTransaction(tx: Transaction): Transaction {
  return new Proxy(tx, {
    get(target, key) {
      if (key === 'query') return async <T>(query: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> => (await turn(), target.query<T>(query, params, options));
      if (key === 'exec') return async (query: string, options?: QueryOptions) => (await turn(), target.exec(query, options));
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A PGlite whose statements each begin on a turn of their own. */
export class TurnTakingPGlite extends PGlite {
  override async query<T>(query: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    await turn();
    return super.query<T>(query, params, options);
  }

  override async exec(query: string, options?: QueryOptions): Promise<Array<Results>> {
    await turn();
    return super.exec(query, options);
  }

  override async transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    await turn();
    return super.transaction((tx) => callback(yieldingTransaction(tx)));
  }
}
