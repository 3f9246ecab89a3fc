/**
 * Where each statement of a policy document's text lies, as the simulator's MatchedStatements give
 * it (StartPosition, EndPosition: 1-based line and column). Read from AWS's examples: a statement
 * starts just after the `[` or `,` before it and ends just after its closing `}`; AWS's own rule is
 * not documented, so these are approximate.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_Statement.html
 */

export interface Position {
  Line: number;
  Column: number;
}

/** The start and end of each element of the document's top-level `Statement`, by index; empty for text that is not such a document. */
export function statementPositions(text: string): { start: Position; end: Position }[] {
  const spans: [number, number][] = [];
  let depth = 0;
  let key: string | undefined;
  /** Where the current element of Statement began (just after its `[` or `,`), while inside Statement. */
  let elementStart: number | undefined;
  let statementDepth: number | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (depth === 1 && statementDepth === undefined) key = text.slice(i + 1, j);
      i = j;
      continue;
    }
    if (c === "{" || c === "[") {
      depth++;
      // The Statement value: a list of statements, or one statement.
      if (depth === 2 && key === "Statement" && statementDepth === undefined) {
        statementDepth = depth;
        if (c === "[") elementStart = i + 1;
        else {
          const end = matching(text, i);
          spans.push([i, end]);
          i = end - 1;
          depth--;
          statementDepth = undefined;
          key = undefined;
        }
      }
    } else if (c === "}" || c === "]") {
      if (statementDepth !== undefined && depth === statementDepth + 1 && c === "}" && elementStart !== undefined) spans.push([elementStart, i + 1]);
      if (depth === statementDepth) {
        statementDepth = undefined;
        elementStart = undefined;
        key = undefined;
      }
      depth--;
    } else if (c === "," && statementDepth !== undefined && depth === statementDepth) {
      elementStart = i + 1;
    } else if (c === "," && depth === 1) {
      key = undefined;
    }
  }
  return spans.map(([from, to]) => ({ start: positionOf(text, from), end: positionOf(text, to) }));
}

/** Just after the `}` closing the object that opens at `open`. */
function matching(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i += text[i] === "\\" ? 2 : 1);
    } else if (c === "{" || c === "[") depth++;
    else if ((c === "}" || c === "]") && --depth === 0) return i + 1;
  }
  return text.length;
}

function positionOf(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { Line: line, Column: offset - lineStart + 1 };
}
