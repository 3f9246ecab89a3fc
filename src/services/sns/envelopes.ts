/**
 * What subscribers receive: the SNS JSON document (a Notification for SQS and HTTP/S, unless raw
 * delivery is on; a SubscriptionConfirmation for a new HTTP/S subscription) and the Lambda event
 * (`Records[].Sns`, with `SigningCertUrl`/`UnsubscribeUrl` spelled as Lambda spells them). Links
 * point at Flint: ConfirmSubscription and Unsubscribe as query requests, the signing certificate.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 */
import { envelopeAttributes } from "./message-attributes.js";
import type { Protocol, StoredMessage, SubscriptionRecord } from "./model.js";
import type { MessageSigner } from "./signing.js";

export interface EnvelopeContext {
  /** Flint's base URL, as subscribers reach it. */
  endpoint: string;
  signer: MessageSigner;
  signatureVersion: "1" | "2";
}

const CONFIRMATION_MESSAGE = (topicArn: string) =>
  `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;

export const subscribeUrl = (endpoint: string, topicArn: string, token: string) =>
  `${endpoint}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}`;
const unsubscribeUrl = (endpoint: string, subscriptionArn: string) => `${endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscriptionArn)}`;

/** The message a protocol gets: its own entry of a MessageStructure=json message, else the default. */
export function messageFor(m: StoredMessage, protocol: Protocol): string {
  return m.perProtocol?.[protocol] ?? m.message;
}

/** Sign a document and add the certificate's URL (field names differ between the envelope and Lambda). */
async function signed(doc: Record<string, unknown>, ctx: EnvelopeContext): Promise<{ SignatureVersion: string; Signature: string; certUrl: string }> {
  return { SignatureVersion: ctx.signatureVersion, Signature: await ctx.signer.sign(doc, ctx.signatureVersion), certUrl: `${ctx.endpoint}/${ctx.signer.certificateName}` };
}

/** The Notification document, fields in AWS's order. */
export async function notification(m: StoredMessage, sub: SubscriptionRecord, ctx: EnvelopeContext): Promise<Record<string, unknown>> {
  const doc: Record<string, unknown> = { Type: "Notification", MessageId: m.messageId };
  if (m.sequenceNumber !== undefined) doc.SequenceNumber = m.sequenceNumber;
  doc.TopicArn = m.topicArn;
  if (m.subject !== undefined) doc.Subject = m.subject;
  doc.Message = messageFor(m, sub.protocol);
  doc.Timestamp = new Date(m.timestamp).toISOString();
  const { SignatureVersion, Signature, certUrl } = await signed(doc, ctx);
  Object.assign(doc, { SignatureVersion, Signature, SigningCertURL: certUrl, UnsubscribeURL: unsubscribeUrl(ctx.endpoint, sub.arn) });
  if (Object.keys(m.attributes).length) doc.MessageAttributes = envelopeAttributes(m.attributes);
  return doc;
}

export async function subscriptionConfirmation(sub: SubscriptionRecord, messageId: string, timestamp: number, ctx: EnvelopeContext): Promise<Record<string, unknown>> {
  const doc: Record<string, unknown> = {
    Type: "SubscriptionConfirmation",
    MessageId: messageId,
    Token: sub.token,
    TopicArn: sub.topicArn,
    Message: CONFIRMATION_MESSAGE(sub.topicArn),
    SubscribeURL: subscribeUrl(ctx.endpoint, sub.topicArn, sub.token!),
    Timestamp: new Date(timestamp).toISOString(),
  };
  const { SignatureVersion, Signature, certUrl } = await signed(doc, ctx);
  return { ...doc, SignatureVersion, Signature, SigningCertURL: certUrl };
}

/** The event a Lambda subscription's function is invoked with. */
export async function lambdaEvent(m: StoredMessage, sub: SubscriptionRecord, ctx: EnvelopeContext): Promise<string> {
  const doc = await notification(m, sub, ctx);
  return JSON.stringify({
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: sub.arn,
        Sns: {
          Type: doc.Type,
          MessageId: doc.MessageId,
          ...(doc.SequenceNumber !== undefined ? { SequenceNumber: doc.SequenceNumber } : {}),
          TopicArn: doc.TopicArn,
          Subject: doc.Subject ?? null,
          Message: doc.Message,
          Timestamp: doc.Timestamp,
          SignatureVersion: doc.SignatureVersion,
          Signature: doc.Signature,
          SigningCertUrl: doc.SigningCertURL,
          UnsubscribeUrl: doc.UnsubscribeURL,
          MessageAttributes: doc.MessageAttributes ?? {},
        },
      },
    ],
  });
}

/** JSON as SNS writes its documents: one member a line, `"name" : value`. */
export function snsJson(doc: Record<string, unknown>): string {
  return `{\n${Object.entries(doc)
    .map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`)
    .join(",\n")}\n}`;
}
