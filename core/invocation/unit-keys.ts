/**
 * The names of an app's state units in a store. Every function (the `millrace` command, Lambda,
 * Cloud Functions) uses these, so that they all read and write the same units.
 */

/**
 * The key of an app's global unit: its state, checkpoints and outbox.
 *
 * @example
 *   appUnitKey('Orders') // 'app/Orders/global'
 */
export function appUnitKey(appName: string): string {
  return `app/${appName}/global`;
}

/**
 * The key of a unit kept outside the global one (a partition key, an aggregation duration), by
 * the runtime's name for it.
 *
 * @example
 *   subUnitKey('app/Shops/global', 'p:partition_1:3f2a:b') // 'app/Shops/global#p:partition_1:3f2a:b'
 */
export function subUnitKey(globalKey: string, unit: string): string {
  return `${globalKey}#${unit}`;
}
