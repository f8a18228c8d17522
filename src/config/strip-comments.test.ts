import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { stripComments } from "./strip-comments.ts";

test("a # inside a string is kept, a # comment outside is blanked", () => {
  const src = '{ "password": "pa#ss", "url": "http://host/#x" } # trailing comment';
  const out = stripComments(src);
  assert.equal(
    out,
    '{ "password": "pa#ss", "url": "http://host/#x" }' + " ".repeat(" # trailing comment".length),
  );
  assert.deepEqual(JSON.parse(out), { password: "pa#ss", url: "http://host/#x" });
});

test("// line comments are blanked, but // inside strings is kept", () => {
  const src = '{\n  "u": "http://a//b", // the URL\n  "n": 1\n}';
  const out = stripComments(src);
  assert.deepEqual(JSON.parse(out), { u: "http://a//b", n: 1 });
  assert.equal(out.split("\n")[1], '  "u": "http://a//b",' + " ".repeat(" // the URL".length));
});

test("block comments are blanked keeping line breaks, so line and column numbers stay exact", () => {
  const src = '{ /* one\n two */ "a": 1, /* x */ "b": "/* not a comment */" }';
  const out = stripComments(src);
  assert.equal(out.length, src.length);
  assert.equal(out.split("\n").length, 2);
  assert.equal(out.indexOf('"a"'), src.indexOf('"a"'));
  assert.deepEqual(JSON.parse(out), { a: 1, b: "/* not a comment */" });
});

test("escaped quotes do not end a string; an unterminated string ends at its line", () => {
  assert.deepEqual(JSON.parse(stripComments('{"a": "x\\"#y"} # c')), { a: 'x"#y' });
  const out = stripComments('{"a": "open\n# comment\n}');
  assert.equal(out.split("\n")[1], " ".repeat("# comment".length));
});

test("a UTF-8 BOM is removed", () => {
  assert.equal(stripComments('\uFEFF{"a":1}'), '{"a":1}');
});

test("property: comments appended after every line never change the parsed value or the line layout", () => {
  const jsonValue = fc.jsonValue({ maxDepth: 3 });
  fc.assert(
    fc.property(
      jsonValue,
      fc.constantFrom("#", "//"),
      fc.string({ unit: "grapheme-ascii" }),
      (value, marker, text) => {
        const comment = text.replace(/[\r\n]/g, "");
        const lines = JSON.stringify(value, null, 2).split("\n");
        const src = lines.map((l) => `${l} ${marker}${comment}`).join("\n") + "\n/* tail\n */";
        const out = stripComments(src);
        assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify(value)), "same value as plain JSON (e.g. -0 prints as 0)");
        assert.equal(out.length, src.length);
        assert.deepEqual(
          out.split("\n").map((l) => l.length),
          src.split("\n").map((l) => l.length),
        );
      },
    ),
  );
});
