import { test } from "node:test";
import assert from "node:assert/strict";
import { isTwcError } from "../shared/errors.ts";
import { MAX_CONFIG_DEPTH, PARSE_HINT, parseConfigText, tooDeepAt } from "./parse.ts";

function parseError(
  text: string,
  file?: string,
): { message: string; context: Record<string, unknown> | undefined } {
  try {
    parseConfigText(text, file);
  } catch (e) {
    assert.ok(isTwcError(e));
    assert.equal(e.code, "CONFIG_PARSE");
    return { message: e.message, context: e.context };
  }
  assert.fail("expected a parse error");
}

test("missing comma: file, line, column, description, the line and a caret, then the hint (config.md §3.1)", () => {
  const before = Array.from({ length: 842 }, (_, i) => `    "k${i}": ${i},`).join("\n");
  const text = `{\n${before}\n    "last": { "x": 1 }\n    "TeslaMate": {\n    }\n}\n`;
  const { message, context } = parseError(text);
  assert.equal(
    message,
    `config.json:845:5: expected ',' or '}' after a property value\n      "TeslaMate": {\n      ^\n${PARSE_HINT}`,
  );
  assert.deepEqual(context, { file: "config.json", line: 845, column: 5 });
});

test("missing comma in an array names the array; the caret follows tabs", () => {
  const { message } = parseError('{\n\t"a": [1\t2]\n}', "my.json");
  assert.equal(message.split("\n")[0], "my.json:2:10: expected ',' or ']' after an array element");
  assert.equal(message.split("\n")[2], "  \t       \t^");
});

test("single quotes, unquoted keys and non-JSON values are parse errors", () => {
  assert.match(
    parseError("{ 'a': 1 }").message,
    /^config\.json:1:3: strings and property names must use double quotes/,
  );
  assert.match(
    parseError('{ "a": 1,\n  b: 2 }').message,
    /^config\.json:2:3: expected a property name in double quotes, found 'b'/,
  );
  assert.match(parseError('{ "a": NaN }').message, /^config\.json:1:8: unexpected 'NaN'/);
  assert.match(parseError('{ "a": 1').message, /^config\.json:1:9: expected '}' to close the object/);
  assert.match(parseError("").message, /^config\.json:1:1: unexpected end of file/);
  assert.match(parseError("[1, 2]").message, /^config\.json:1:1: the top-level value must be an object/);
});

test("comments and trailing commas are accepted", () => {
  const r = parseConfigText('{\n  # comment\n  "a": [1, 2,], // c\n  /* b */ "b": {"c": "#x",},\n}');
  assert.deepEqual(r.value, { a: [1, 2], b: { c: "#x" } });
  assert.deepEqual(r.warnings, []);
});

test("duplicate keys: the last one wins, with a warning naming the key and its line; key order is kept", () => {
  const r = parseConfigText('{\n  "config": {\n    "a": 1,\n    "b": 2,\n    "a": 3\n  },\n  "z": 0\n}');
  assert.deepEqual(r.value, { config: { a: 3, b: 2 }, z: 0 });
  assert.deepEqual(Object.keys(r.value.config as object), ["a", "b"]);
  assert.equal(r.warnings.length, 1);
  assert.match(
    r.warnings[0]!,
    /^config\.json:5:5: duplicate key "a" \(config\.a, first defined on line 3\); the last one wins$/,
  );
});

test("a __proto__ key stays an ordinary own property", () => {
  const r = parseConfigText('{"__proto__": {"polluted": true}, "a": 1}');
  assert.equal(Object.getPrototypeOf(r.value), Object.prototype);
  assert.ok(Object.hasOwn(r.value, "__proto__"));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("a BOM is ignored and line numbers count from the first real line", () => {
  assert.match(
    parseError('\uFEFF{\n "a" 1}').message,
    /^config\.json:2:6: expected ':' after a property name/,
  );
});

/** `{"a":` … `1` … `}` nested `levels` deep (the top-level object counts as level 1). */
function nested(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
}

test(`nesting: ${MAX_CONFIG_DEPTH} levels parse; deeper ones (even 10 000) are a parse error with line and column`, () => {
  let v: unknown = parseConfigText(nested(MAX_CONFIG_DEPTH)).value;
  for (let i = 1; i < MAX_CONFIG_DEPTH; i++) v = (v as { a: unknown }).a;
  assert.deepEqual(v, { a: 1 });
  const col = 5 * MAX_CONFIG_DEPTH + 1; // the brace opening level 257
  for (const levels of [MAX_CONFIG_DEPTH + 1, 10_000, 200_000]) {
    const { message, context } = parseError(nested(levels));
    assert.equal(message.split("\n")[0], `config.json:1:${col}: nested deeper than ${MAX_CONFIG_DEPTH} levels`);
    assert.equal(message.split("\n").at(-1), PARSE_HINT);
    assert.deepEqual(context, { file: "config.json", line: 1, column: col });
  }
  // Arrays count too, on later lines, with CRLF line breaks.
  const arrays = `{\r\n  "x": 1,\r\n  "deep": ${"[".repeat(20_000)}${"]".repeat(20_000)}\r\n}`;
  assert.match(parseError(arrays).message, new RegExp(`^config\\.json:3:${11 + MAX_CONFIG_DEPTH - 1}: nested deeper`));
});

test("nesting: brackets inside strings and comments do not count; an earlier syntax error is reported first", () => {
  const text = `{ "s": "${"[{".repeat(400)}", # ${"[".repeat(400)}\n "t": [[1]] }`;
  assert.deepEqual(parseConfigText(text).value, { s: "[{".repeat(400), t: [[1]] });
  assert.equal(tooDeepAt('{"a": "\\"[[[["}', 1), -1);
  assert.equal(tooDeepAt("[[]]", 1), 1);
  assert.match(parseError(`{ "a" 1, "b": ${nested(10_000)} }`).message, /^config\.json:1:7: expected ':'/);
});
