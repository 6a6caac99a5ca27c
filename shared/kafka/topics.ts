/**
 * The topics the system uses. One list, read by the local stack (which creates them), by
 * `compose.yaml`'s test and by the services.
 *
 * @module
 */

/** A topic the system needs, with the settings it is created with. */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Topic-level configuration passed at creation. */
  config: Record<string, string>;
}

/** Orders are published here; the key is the order's transaction id. */
export const ORDER_CREATED = "OrderCreated";

/** Messages the Invoices API refused, with the reason, for an operator to inspect. */
export const ORDER_CREATED_REJECTED = "OrderCreated.rejected";

/** Every topic, in creation order. */
export const TOPICS: readonly TopicSpec[] = [
  {
    name: ORDER_CREATED,
    partitions: 2,
    // Event tokens live 7 days and a flow may resume days later: keep messages longer than that.
    config: { "retention.ms": String(14 * 24 * 3600 * 1000), "max.message.bytes": "1048588" },
  },
  {
    name: ORDER_CREATED_REJECTED,
    partitions: 2,
    config: { "retention.ms": String(30 * 24 * 3600 * 1000), "max.message.bytes": "2097176" },
  },
];
