import type { StateRegistry } from '../state/state-spec';
import type { Junction } from './junction';

/** Where a query's state lives and where its streams are: the app, or one partition key's instance. */
export interface Host {
  readonly registry: StateRegistry;
  /** The junction a query reads from. */
  input(id: string): Junction;
  /** The junction a query writes to. */
  output(id: string): Junction;
  /** Prefix of the query's state names and timer ids. */
  readonly prefix: string;
}
