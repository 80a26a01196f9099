// Where JSON breaks. Engines word JSON.parse errors differently and some give no position at
// all ("Unexpected token ']', …"), so the first error is found by scanning the text: a syntax
// check only, iterative, so deep nesting cannot overflow the stack.

export interface JsonErrorLocation {
  offset: number;
  line: number;
  column: number;
  /** What was found there, for the message. */
  found: string;
}

const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

/** The offset of the first syntax error, or −1 when the text is valid JSON. */
export function firstJsonError(text: string): number {
  let i = 0;
  const n = text.length;
  // Stack of open containers: '{' expects a key next, ':' a value after a key, '[' a value.
  const stack: string[] = [];
  const skip = () => {
    while (i < n && WS.has(text[i])) i++;
  };
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < n) {
      const c = text[i];
      if (c === '"') {
        i++;
        return true;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if ('"\\/bfnrt'.includes(e ?? 'x')) i += 2;
        else return false;
      } else if (c < ' ') return false;
      else i++;
    }
    return false;
  };
  // After a complete value: expect ',' or the closer of the enclosing container, or the end.
  const afterValue = (): boolean => {
    for (;;) {
      skip();
      const top = stack[stack.length - 1];
      if (top === undefined) return i === n;
      if (text[i] === ',') {
        i++;
        skip();
        return top === '{' ? text[i] === '"' : true;
      }
      if (!((top === '{' && text[i] === '}') || (top === '[' && text[i] === ']'))) return false;
      i++;
      stack.pop();
    }
  };
  for (;;) {
    skip();
    if (stack[stack.length - 1] === '{') {
      // A key, then ':'.
      if (!string()) return i;
      skip();
      if (text[i] !== ':') return i;
      i++;
      skip();
    }
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      skip();
      if ((c === '{' && text[i] === '}') || (c === '[' && text[i] === ']')) {
        i++;
        stack.pop();
        if (!afterValue()) return i;
        if (stack.length === 0) return -1;
        continue;
      }
      continue;
    }
    if (c === '"') {
      if (!string()) return i;
    } else {
      const re = c === '-' || (c >= '0' && c <= '9') ? NUMBER : LITERAL;
      re.lastIndex = i;
      const m = re.exec(text);
      if (!m) return i;
      i += m[0].length;
    }
    if (!afterValue()) return i;
    if (stack.length === 0) return -1;
  }
}

export function locateJsonError(text: string): JsonErrorLocation | null {
  const offset = firstJsonError(text);
  if (offset < 0) return null;
  const before = text.slice(0, offset);
  const line = (before.match(/\n/g)?.length ?? 0) + 1;
  const found = offset >= text.length ? 'the end of the file' : JSON.stringify(text.slice(offset, offset + 1));
  return { offset, line, column: offset - before.lastIndexOf('\n'), found };
}
