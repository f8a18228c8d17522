import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isValidVin, joinVin, vinPartChars, vinPartData } from "./vin.ts";

describe("VIN (controller.md §13, §25.9)", () => {
  it("check digit examples", () => {
    assert.equal(isValidVin("5YJ3E1EA8KF000001"), true);
    assert.equal(isValidVin("5YJ3E1EA7KF000001"), false);
    assert.equal(isValidVin("5YJ3E1EBXLF765432"), true);
  });

  it("is case-insensitive (upper-cased first)", () => {
    assert.equal(isValidVin("5yj3e1ebxlf765432"), true);
  });

  it("rejects wrong lengths, I/O/Q and a non-digit check character", () => {
    assert.equal(isValidVin(""), false);
    assert.equal(isValidVin("5YJ3E1EA8KF00000"), false);
    assert.equal(isValidVin("5YJ3E1EA8KF0000011"), false);
    for (const c of ["I", "O", "Q"]) assert.equal(isValidVin(`5YJ3E1EA8KF00000${c}`), false, c);
    assert.equal(isValidVin("5YJ3E1EAAKF000001"), false);
    assert.equal(isValidVin("5YJ3E1EA8KF00000!"), false);
  });

  it("parts 5YJ3E1E / A8KF000 / 001 join to the VIN", () => {
    const vin = "5YJ3E1EA8KF000001";
    const parts = ([0, 1, 2] as const).map((p) => vinPartChars(vinPartData(vin, p)));
    assert.deepEqual(parts, ["5YJ3E1E", "A8KF000", "001"]);
    assert.equal(joinVin(parts.map((p) => p ?? "")), vin);
    assert.deepEqual(vinPartData(vin, 2), Uint8Array.of(0x30, 0x30, 0x31, 0, 0, 0, 0, 0, 0, 0, 0));
  });

  it("part characters stop at the first 00; non-printable bytes make the part invalid", () => {
    assert.equal(vinPartChars(new Uint8Array(11)), "");
    assert.equal(vinPartChars(Uint8Array.of(0x41, 0x42, 0x00, 0xff)), "AB");
    assert.equal(vinPartChars(Uint8Array.of(0x41, 0x1f)), null);
    assert.equal(vinPartChars(Uint8Array.of(0x7f, 0x41)), null);
    assert.equal(vinPartChars(Uint8Array.of(0x20, 0x7e)), " ~");
  });
});
