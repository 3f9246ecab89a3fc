/** XML for the query protocol's responses: escaping and elements, nothing more. */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#xD;" };

/**
 * Escape text content. A carriage return is written as `&#xD;` (as AWS does) because XML parsers
 * turn a literal `\r\n` into `\n`, which would change a message body and its MD5.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"\r]/g, (c) => ESCAPES[c]!);
}

/** `<name>content</name>`; `content` is already XML. */
export function element(name: string, content: string): string {
  return `<${name}>${content}</${name}>`;
}

/** `<name>text</name>` with the text escaped; nothing for `undefined`. */
export function textElement(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? "" : element(name, escapeXml(String(value)));
}
