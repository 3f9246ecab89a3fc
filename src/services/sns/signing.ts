/**
 * Message signatures, as SNS makes them: the message's canonical string signed with RSA
 * (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA), verifiable with the X.509 certificate at
 * SigningCertURL. Flint's key pair is made once, in the background of the first start (an RSA key
 * costs 100–300 ms of CPU, which no server start should wait for), and kept in the store; its
 * certificate is self-signed (DER written here, as Node.js can read certificates but not make them).
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, sign, type KeyObject } from "node:crypto";
import { promisify } from "node:util";

/** Fields of each message type that are signed, in this order, when present. */
const SIGNED_FIELDS: Record<string, string[]> = {
  Notification: ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
  SubscriptionConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
  UnsubscribeConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
};

/** `name\nvalue\n` for each signed field the message has. */
export function canonicalString(message: Record<string, unknown>): string {
  return (SIGNED_FIELDS[message.Type as string] ?? [])
    .filter((f) => typeof message[f] === "string")
    .map((f) => `${f}\n${message[f] as string}\n`)
    .join("");
}

type KeyStore = { signingKey(): Promise<{ privateKey: string; certificate: string } | undefined>; putSigningKey(k: { privateKey: string; certificate: string }): Promise<void> };

export class MessageSigner {
  private key: KeyObject | undefined;
  private certificate_: string | undefined;
  /** Resolves once the key is loaded or made; sign and the certificate are for after it. */
  readonly ready: Promise<void>;

  private constructor(stored: Promise<{ privateKey: string; certificate: string }>) {
    this.ready = stored.then((k) => {
      this.key = createPrivateKey(k.privateKey);
      this.certificate_ = k.certificate;
    });
    // Deliveries wait on it and fail (to be retried) if it failed; the server must not fall over.
    this.ready.catch((err) => console.error(`flint: sns signing key unavailable: ${(err as Error).message}`));
  }

  /** The stored key, or one made (on the thread pool) and stored. Returns at once. */
  static load(store: KeyStore, now: number): MessageSigner {
    const stored = (async () => {
      const existing = await store.signingKey();
      if (existing) return existing;
      const { privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
      const made = { privateKey: privateKey.export({ type: "pkcs8", format: "pem" }) as string, certificate: selfSignedCertificate(privateKey, now) };
      await store.putSigningKey(made);
      return made;
    })();
    return new MessageSigner(stored);
  }

  get certificate(): string {
    if (this.certificate_ === undefined) throw new Error("the SNS signing key is not ready yet");
    return this.certificate_;
  }

  /** The certificate's file name, as AWS names it (`SimpleNotificationService-<md5>.pem`). */
  get certificateName(): string {
    return `SimpleNotificationService-${createHash("md5").update(this.certificate).digest("hex")}.pem`;
  }

  /**
   * Base64 signature of a message's canonical string, made on libuv's thread pool: an RSA signature
   * is ~0.8 ms of CPU, which would otherwise be most of the event loop's work when messages fan out.
   */
  sign(message: Record<string, unknown>, version: "1" | "2"): Promise<string> {
    const key = this.key;
    if (!key) return Promise.reject(new Error("the SNS signing key is not ready yet"));
    return new Promise((resolve, reject) =>
      sign(version === "2" ? "sha256" : "sha1", Buffer.from(canonicalString(message), "utf8"), key, (err, signature) => (err ? reject(err) : resolve(signature.toString("base64")))),
    );
  }
}

// DER: just what one certificate needs.
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}
const seq = (...parts: Buffer[]) => der(0x30, ...parts);
const oid = (hex: string) => der(0x06, Buffer.from(hex, "hex"));
const SHA256_WITH_RSA = seq(oid("2a864886f70d01010b"), der(0x05));
const name = (cn: string) => seq(der(0x31, seq(oid("550403"), der(0x0c, Buffer.from(cn)))));
/** UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(ms: number): Buffer {
  const digits = new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return Number(digits.slice(0, 4)) < 2050 ? der(0x17, Buffer.from(`${digits.slice(2)}Z`)) : der(0x18, Buffer.from(`${digits}Z`));
}

function selfSignedCertificate(privateKey: KeyObject, now: number): string {
  const subject = name("Flint Simple Notification Service");
  const publicKey = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  // A positive serial number: 0x01 and 15 bytes of the key's hash.
  const serial = Buffer.concat([Buffer.from([1]), createHash("sha1").update(publicKey).digest().subarray(0, 15)]);
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    SHA256_WITH_RSA,
    subject,
    seq(time(now - 86_400_000), time(now + 20 * 365 * 86_400_000)),
    subject,
    publicKey,
  );
  const cert = seq(tbs, SHA256_WITH_RSA, der(0x03, Buffer.from([0]), sign("sha256", tbs, privateKey)));
  const base64 = cert.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n?$/, "\n");
  return `-----BEGIN CERTIFICATE-----\n${base64}-----END CERTIFICATE-----\n`;
}
