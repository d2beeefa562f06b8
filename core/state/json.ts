/**
 * A JSON-safe value: what a state unit snapshots to and what a state store keeps.
 *
 * @example
 *   const unit: Json = { count: 3, last: ['a', 1.5, null] };
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
