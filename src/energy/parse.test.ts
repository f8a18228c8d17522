import assert from "node:assert/strict";
import { test } from "node:test";
import { parseNumberText, parsePowerPayload, parsePowerText } from "./parse.ts";

void test("URL body rule: number, optional W or kW unit (config.md §5.4)", () => {
  const ok: [string, number][] = [
    ["1234", 1234],
    ["1234 W", 1234],
    ["1.5kW", 1500],
    ["  -250.5 w \n", -250.5],
    ["2.5 KW", 2500],
    [".5", 0.5],
    ["1e3", 1000],
    ["+12.", 12],
  ];
  for (const [body, w] of ok) assert.equal(parsePowerText(body), w, body);
  for (const bad of ["n/a", "", "12 Wh", "W", "1,5", "12 kWh", "0x10", "1234 W extra"])
    assert.equal(parsePowerText(bad), null, bad);
});

void test("MQTT payload rule: text, JSON number, JSON string and {value}", () => {
  assert.equal(parsePowerPayload("2500"), 2500);
  assert.equal(parsePowerPayload("1.2kW"), 1200);
  assert.equal(parsePowerPayload('"800 W"'), 800);
  assert.equal(parsePowerPayload('{"value": 3000}'), 3000);
  assert.equal(parsePowerPayload('{"value": "2kW", "unit": "x"}'), 2000);
  assert.equal(parsePowerPayload("null"), null);
  assert.equal(parsePowerPayload('{"v": 1}'), null);
  assert.equal(parsePowerPayload("[1]"), null);
  assert.equal(parsePowerPayload("unavailable"), null);
});

void test("Home Assistant state numbers", () => {
  assert.equal(parseNumberText("1.5"), 1.5);
  assert.equal(parseNumberText("-3"), -3);
  assert.equal(parseNumberText("unavailable"), null);
  assert.equal(parseNumberText("unknown"), null);
  assert.equal(parseNumberText(""), null);
});
