/** Everything a service needs from its surroundings, built once per process and passed down. */
import type { Database } from '../db/client.js';
import type { Config } from '../config.js';
import type { Clock } from './clock.js';
import type { Logger } from 'pino';

export interface AppContext {
  db: Database;
  config: Config;
  clock: Clock;
  log: Logger;
}
