/** A row of sns_deliveries as both SNS stores read it (sqlite-sns.ts, pg-sns.ts), and the delivery it is. */
import type { Delivery, DeliveryKind } from "../services/sns/model.js";

export interface DeliveryRow {
  seq: number;
  kind: string;
  subscription_arn: string;
  message_id: string | null;
  attempts: number;
  due_at: number;
  order_key: string | null;
  owner: string | null;
  lease_until: number;
}

export const fromRow = (r: DeliveryRow): Delivery => ({
  seq: r.seq,
  kind: r.kind as DeliveryKind,
  subscriptionArn: r.subscription_arn,
  ...(r.message_id !== null ? { messageId: r.message_id } : {}),
  attempts: r.attempts,
  dueAt: r.due_at,
  ...(r.order_key !== null ? { orderKey: r.order_key } : {}),
});
