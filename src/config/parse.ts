/**
 * config.json parser (config.md §3.1): comments are blanked first (strip-comments.ts), then the text is
 * parsed with jsonc-parser allowing trailing commas. Duplicate keys: the last one wins, with a warning.
 * Any other syntax error is a CONFIG_PARSE TwcError with file, line, column, a short description, the
 * offending line and a caret. Nesting deeper than MAX_CONFIG_DEPTH is such an error too (jsonc-parser
 * recurses per level, so deeper input would otherwise end in a bare RangeError). Pure.
 */
import { printParseErrorCode, visit, type ParseErrorCode } from "jsonc-parser";
import { TwcError } from "../shared/errors.ts";
import { stripBom, stripComments } from "./strip-comments.ts";

/** Result of parsing config.json. */
export interface ParsedConfigText {
  /** The top-level object, keys in their original order (duplicates: first position, last value). */
  value: Record<string, unknown>;
  /** Duplicate-key warnings. */
  warnings: string[];
}

/** The hint printed under every config.json parse error. */
export const PARSE_HINT = "config.json must be JSON; comments (# //) and trailing commas are allowed";

const MAX_SHOWN_LINE = 160;

/** Deepest nesting of objects and arrays accepted in config.json (the real file needs about 5). */
export const MAX_CONFIG_DEPTH = 256;

/**
 * Offset of the first `{` or `[` (outside strings) that opens level `max + 1`, or -1. `text` has its
 * comments blanked; a string ends at its closing quote or, unterminated, at the end of its line.
 */
export function tooDeepAt(text: string, max: number = MAX_CONFIG_DEPTH): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22 || d === 0x0a || d === 0x0d) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return i;
    } else if ((c === 0x7d || c === 0x5d) && depth > 0) {
      depth--;
    }
  }
  return -1;
}

/** Zero-based line and column of `offset` (line breaks: CRLF, CR or LF, as formatParseError splits). */
function lineColAt(text: string, offset: number): { line: number; col: number } {
  let line = 0;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
    if (c === 0x0a || c === 0x0d) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start };
}

type Container =
  | { kind: "object"; obj: Record<string, unknown>; keys: Map<string, number>; key: string | null }
  | { kind: "array"; arr: unknown[] };

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty keeps keys such as "__proto__" as ordinary own data properties.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function describe(
  code: ParseErrorCode,
  inside: Container["kind"] | null,
  token: string,
  expectingName: boolean,
): string {
  switch (printParseErrorCode(code)) {
    case "CommaExpected":
      return inside === "array"
        ? "expected ',' or ']' after an array element"
        : "expected ',' or '}' after a property value";
    case "CloseBraceExpected":
      return "expected '}' to close the object";
    case "CloseBracketExpected":
      return "expected ']' to close the array";
    case "ColonExpected":
      return "expected ':' after a property name";
    case "PropertyNameExpected":
      return "expected a property name in double quotes";
    case "ValueExpected":
      return token === "" ? "unexpected end of file, expected a value" : "expected a value";
    case "EndOfFileExpected":
      return "unexpected text after the end of the top-level value";
    case "InvalidNumberFormat":
      return "invalid number";
    case "UnexpectedEndOfString":
      return "unterminated string (missing closing '\"')";
    case "UnexpectedEndOfNumber":
      return "incomplete number";
    case "InvalidUnicode":
      return "invalid \\u escape in string";
    case "InvalidEscapeCharacter":
      return "invalid escape sequence in string";
    case "InvalidCharacter":
      return "control characters (such as tabs or line breaks) must be escaped inside strings";
    case "InvalidCommentToken":
    case "UnexpectedEndOfComment":
      return "invalid comment";
    case "InvalidSymbol": {
      if (token.startsWith("'"))
        return "strings and property names must use double quotes, not single quotes";
      if (expectingName) return `expected a property name in double quotes, found '${token}'`;
      return `unexpected '${token}'`;
    }
    case "<unknown ParseErrorCode>":
      return "syntax error";
  }
}

/** Formats "<file>:<line>:<col>: <description>", the offending line, a caret and the hint. */
export function formatParseError(
  fileName: string,
  text: string,
  line0: number,
  col0: number,
  description: string,
): string {
  const lines = text.split(/\r\n|\r|\n/);
  let src = lines[line0] ?? "";
  let caretCol = col0;
  if (src.length > MAX_SHOWN_LINE) {
    const start = Math.max(0, col0 - MAX_SHOWN_LINE / 2);
    src =
      (start > 0 ? "…" : "") +
      src.slice(start, start + MAX_SHOWN_LINE) +
      (start + MAX_SHOWN_LINE < src.length ? "…" : "");
    caretCol = col0 - start + (start > 0 ? 1 : 0);
  }
  let pad = "";
  for (let i = 0; i < caretCol; i++) pad += src[i] === "\t" ? "\t" : " ";
  return `${fileName}:${line0 + 1}:${col0 + 1}: ${description}\n  ${src}\n  ${pad}^\n${PARSE_HINT}`;
}

function pathOf(stack: readonly Container[]): string {
  const parts: string[] = [];
  for (const c of stack) {
    if (c.kind === "object") {
      if (c.key !== null) parts.push(parts.length === 0 ? c.key : `.${c.key}`);
    } else {
      parts.push(`[${c.arr.length - 1}]`);
    }
  }
  return parts.join("");
}

/**
 * Parses config.json text (comments, trailing commas and a BOM allowed). Throws TwcError CONFIG_PARSE on
 * a syntax error or when the top-level value is not an object; `fileName` (a basename) prefixes messages.
 */
export function parseConfigText(text: string, fileName = "config.json"): ParsedConfigText {
  const original = stripBom(text);
  const stripped = stripComments(original);
  const warnings: string[] = [];
  const stack: Container[] = [];
  let root: unknown = undefined;
  let rootSet = false;
  let firstError: { line: number; col: number; message: string; offset: number } | null = null;
  let expectingName = false;
  // Too deep: only the text before the offending bracket is parsed, so an earlier syntax error still wins.
  const deepAt = tooDeepAt(stripped);

  const place = (value: unknown): void => {
    const top = stack[stack.length - 1];
    if (!top) {
      if (!rootSet) {
        root = value;
        rootSet = true;
      }
    } else if (top.kind === "array") {
      top.arr.push(value);
    } else if (top.key !== null) {
      setOwn(top.obj, top.key, value);
    }
  };

  visit(
    deepAt === -1 ? stripped : stripped.slice(0, deepAt),
    {
      onObjectBegin() {
        const obj: Record<string, unknown> = {};
        place(obj);
        stack.push({ kind: "object", obj, keys: new Map(), key: null });
        expectingName = true;
      },
      onObjectProperty(property, _offset, _length, startLine, startCharacter) {
        expectingName = false;
        const top = stack[stack.length - 1];
        if (top?.kind !== "object") return;
        const prev = top.keys.get(property);
        if (prev !== undefined) {
          const parent = pathOf(stack.slice(0, -1));
          const path = parent === "" ? property : `${parent}.${property}`;
          warnings.push(
            `${fileName}:${startLine + 1}:${startCharacter + 1}: duplicate key "${property}" (${path}, first defined on line ${prev}); the last one wins`,
          );
        }
        top.keys.set(property, startLine + 1);
        top.key = property;
      },
      onObjectEnd() {
        stack.pop();
        expectingName = false;
      },
      onArrayBegin() {
        const arr: unknown[] = [];
        place(arr);
        stack.push({ kind: "array", arr });
        expectingName = false;
      },
      onArrayEnd() {
        stack.pop();
      },
      onLiteralValue(value) {
        place(value);
      },
      onSeparator(character) {
        const top = stack[stack.length - 1];
        expectingName = character === "," && top?.kind === "object";
      },
      onError(error, offset, length, startLine, startCharacter) {
        if (firstError) return;
        const token = stripped.slice(offset, offset + length);
        const inside = stack[stack.length - 1]?.kind ?? null;
        const message = describe(error, inside, token, expectingName);
        firstError = { line: startLine, col: startCharacter, message, offset };
      },
    },
    { allowTrailingComma: true, disallowComments: true },
  );

  let err = firstError as { line: number; col: number; message: string; offset: number } | null;
  if (deepAt !== -1 && (err === null || err.offset >= deepAt)) {
    const at = lineColAt(stripped, deepAt);
    err = { ...at, message: `nested deeper than ${MAX_CONFIG_DEPTH} levels`, offset: deepAt };
  }
  if (err) {
    throw new TwcError({
      code: "CONFIG_PARSE",
      message: formatParseError(fileName, original, err.line, err.col, err.message),
      context: { file: fileName, line: err.line + 1, column: err.col + 1 },
    });
  }
  if (root === null || typeof root !== "object" || Array.isArray(root)) {
    throw new TwcError({
      code: "CONFIG_PARSE",
      message: formatParseError(fileName, original, 0, 0, "the top-level value must be an object { … }"),
      context: { file: fileName, line: 1, column: 1 },
    });
  }
  return { value: root as Record<string, unknown>, warnings };
}
