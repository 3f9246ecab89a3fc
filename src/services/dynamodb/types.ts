/**
 * DynamoDB's data model as it travels on the wire (JSON 1.0): attribute values tagged by type, binary
 * values in base64. Items are stored and handed around in this form; values.ts validates and
 * normalises what a request sends, and computes what the store needs (sizes, orderable key bytes).
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html
 */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };

export type Item = Record<string, AttributeValue>;

/** The scalar types a key attribute may have. */
export type KeyType = "S" | "N" | "B";
