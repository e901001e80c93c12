/**
 * The few Cloudflare Queues types the Worker uses, declared here so that the Worker has no
 * dependency (`@cloudflare/workers-types` declares the same shapes; see the Queues JavaScript
 * API: `MessageBatch`, `Message`, `ack()`, `retry({ delaySeconds })`, `attempts`).
 *
 * @module
 */

/** Options of {@linkcode QueueMessage.retry}. */
export interface QueueRetryOptions {
  /** Seconds before the message is delivered again. */
  delaySeconds?: number;
}

/** One message of a batch. */
export interface QueueMessage<Body = unknown> {
  /** The queue's id of the message. */
  readonly id: string;
  /** When it was sent. */
  readonly timestamp: Date;
  /** Its body as sent. */
  readonly body: Body;
  /** Deliveries so far, this one included (1 on first delivery). */
  readonly attempts: number;
  /** Done with it: never delivered again. */
  ack(): void;
  /** Deliver it again later (after `max_retries` it goes to the dead-letter queue). */
  retry(options?: QueueRetryOptions): void;
}

/** The batch a queue consumer's `queue()` handler receives. */
export interface QueueMessageBatch<Body = unknown> {
  /** The queue's name. */
  readonly queue: string;
  readonly messages: readonly QueueMessage<Body>[];
  ackAll(): void;
  retryAll(options?: QueueRetryOptions): void;
}

/** Options of {@linkcode QueueProducer.sendBatch}: one message of the batch. */
export interface QueueSendRequest<Body = unknown> {
  body: Body;
}

/** A queue producer binding (`queues.producers` in wrangler.jsonc). */
export interface QueueProducer<Body = unknown> {
  /** Puts one message on the queue. */
  send(body: Body): Promise<void>;
  /** Puts up to 100 messages on the queue in one call. */
  sendBatch(messages: Iterable<QueueSendRequest<Body>>): Promise<void>;
}
