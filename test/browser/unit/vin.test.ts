/** The vehicle detail page's VIN decoding (vehicles.md §8.4): upstream's table and the added codes. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeVin, isValidVin, modelYear, NON_TESLA_VIN } from "../../../src/web/vin.ts";

test("a Fremont Model 3 Long Range: maker, model, variant, year, plant, left-hand drive", () => {
  assert.deepEqual(decodeVin("5YJ3E7EB2LF123456"), {
    valid: true,
    nonTesla: false,
    manufacturer: "Tesla Motors (USA)",
    model: "Model 3",
    variant: "Long Range, all-wheel drive",
    year: 2020,
    plant: "Fremont, California",
    drive: "left-hand drive",
  });
});

test("upstream's Model 3 variants by characters 6–8, else the 8th character B", () => {
  assert.equal(decodeVin("5YJ3E7EA0KF000001").variant, "Standard Range Plus, rear-wheel drive");
  assert.equal(decodeVin("5YJ3F7EC0LF000001").variant, "Performance, all-wheel drive");
  assert.equal(decodeVin("5YJ3F7EC0LF000001").drive, "right-hand drive");
  assert.equal(decodeVin("5YJ3E1EB0JF000001").variant, "Long Range, all-wheel drive");
  assert.equal(decodeVin("5YJ3E1EA0JF000001").variant, null, "1EA is not in the table");
  assert.equal(decodeVin("5YJSA1E26HF000337").variant, null, "variants only for the Model 3");
});

test("Model S and X drive side, Shanghai, Berlin and Austin plants, China and Germany makers", () => {
  const s = decodeVin("5YJSA1E26HF000337");
  assert.equal(s.model, "Model S");
  assert.equal(s.year, 2017);
  assert.equal(s.drive, "left-hand drive");
  assert.equal(decodeVin("5YJXD7E20GF000001").drive, "right-hand drive");
  assert.equal(decodeVin("5YJXD7E20GF000001").model, "Model X");
  const china = decodeVin("LRW3E7FA9MC123456");
  assert.equal(china.manufacturer, "Tesla Motors (China)");
  assert.equal(china.plant, "Shanghai, China");
  assert.equal(china.year, 2021);
  const berlin = decodeVin("XP7YGCEK3PB000001");
  assert.deepEqual([berlin.manufacturer, berlin.model, berlin.year, berlin.plant, berlin.drive], [
    "Tesla Manufacturing (Germany)",
    "Model Y",
    2023,
    "Grünheide (Berlin), Germany",
    null,
  ]);
  assert.equal(decodeVin("7SAYGDEE5NA000001").plant, "Austin, Texas");
  assert.equal(decodeVin("7SAYGDEE5NA000001").year, 2022);
});

test("model years: D…M is 2013…2021 without I; later letters continue the cycle", () => {
  const letters = "DEFGHJKLM";
  assert.deepEqual([...letters].map(modelYear), [2013, 2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021]);
  assert.equal(modelYear("I"), null);
  assert.equal(modelYear("O"), null);
  assert.equal(modelYear("N"), 2022);
  assert.equal(modelYear("S"), 2025);
  assert.equal(modelYear("9"), 2009);
  assert.equal(modelYear(""), null);
});

test("the all-zero VIN is the non-Tesla note; other makers and invalid VINs decode to nothing", () => {
  const z = decodeVin(NON_TESLA_VIN);
  assert.equal(z.nonTesla, true);
  assert.equal(z.valid, true);
  assert.equal(z.model, null);
  const vw = decodeVin("WVWZZZ1KZAW000001");
  assert.deepEqual([vw.valid, vw.manufacturer, vw.model, vw.year], [true, null, null, null]);
  assert.equal(decodeVin("5YJ3E7EB2LF12345").valid, false, "16 characters");
  assert.equal(decodeVin("5YJ3E7EB2LFI23456").valid, false, "I is not a VIN character");
  assert.equal(decodeVin(" 5yj3e7eb2lf123456 ").model, "Model 3", "case and spaces ignored");
  assert.equal(isValidVin("5YJ3E7EB2LF123456"), true);
  assert.equal(isValidVin("5YJ3E7EB2LF12345Q"), false);
});
