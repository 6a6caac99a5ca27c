/**
 * Fetches one Kafka message from Deno by running `read_message_node.ts` on Node, the only
 * runtime that loads Confluent's client.
 *
 * @module
 */

/** A message as the broker stored it, text decoded as UTF-8. */
export interface KafkaMessage {
  topic: string;
  partition: number;
  offset: number;
  timestamp?: number;
  key: string | null;
  value: string | null;
  headers: Array<{ name: string; value: string | null }>;
}

/** Where to read, and with which Node and broker. */
export interface MessageAddress {
  topic: string;
  partition: number;
  offset: number | string;
  /** Node 22 or later. */
  node: string;
  kafkaBootstrap: string;
}

/** Reads the message at `address`; throws `Error` with the helper's one-line reason. */
export async function readKafkaMessage(address: MessageAddress): Promise<KafkaMessage> {
  const script = new URL("./read_message_node.ts", import.meta.url).pathname;
  const output = await new Deno.Command(address.node, {
    args: [script, address.topic, String(address.partition), String(address.offset)],
    env: { KAFKA_BOOTSTRAP: address.kafkaBootstrap },
    stdout: "piped",
    stderr: "piped",
  }).output();

  if (!output.success) {
    const reason = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1);
    throw new Error(
      `Failed to read ${address.topic}/${address.partition}/${address.offset}: ${reason}`,
    );
  }
  const message = JSON.parse(new TextDecoder().decode(output.stdout));
  return { topic: address.topic, ...message };
}
