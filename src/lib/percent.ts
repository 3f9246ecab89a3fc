/** Percent-decoding that keeps what is not well-formed (`%zz`, a lone `%`) as it came, instead of throwing. */
export function decodePercent(text: string): string {
  if (!text.includes("%")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
