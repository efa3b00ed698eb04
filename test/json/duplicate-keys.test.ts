import { describe, expect, test } from "bun:test";
import { duplicateKeyOf } from "../../src/json/duplicate-keys.ts";

describe("duplicateKeyOf", () => {
  test("a name given twice in one object, at any depth, escaped or not", () => {
    expect(duplicateKeyOf('{"model":"a","model":"b"}')).toBe("model");
    expect(duplicateKeyOf('{"model":"a","mod\\u0065l":"b"}')).toBe("model");
    expect(duplicateKeyOf('{"requests":[{"params":{"model":"a","max_tokens":1,"model":"b"}}]}')).toBe("model");
    expect(duplicateKeyOf('{"a":{"x":1,"y":{"z":[1,{"k":1,"k":2}]}}}')).toBe("k");
  });

  test("names equal ignoring case: at the top level, and `model` anywhere", () => {
    expect(duplicateKeyOf('{"model":"a","MODEL":"b"}')).toBe("MODEL");
    expect(duplicateKeyOf('{"stream":false,"Stream":true}')).toBe("Stream");
    expect(duplicateKeyOf('{"params":{"model":"a","Model":"b"}}')).toBe("Model");
    // A schema's properties may differ only in case.
    expect(duplicateKeyOf('{"tools":[{"input_schema":{"properties":{"Name":{},"name":{}}}}]}')).toBeUndefined();
  });

  test("the same name in different objects, strings that look like names, and values are not duplicates", () => {
    expect(duplicateKeyOf('{"model":"a","messages":[{"model":"b"},{"model":"c"}]}')).toBeUndefined();
    expect(duplicateKeyOf('{"a":"model","b":["model","model"],"c":"\\"model\\":1,"}')).toBeUndefined();
    expect(duplicateKeyOf('{"a":{},"b":[],"c":{"a":1},"d":[{"a":1}]}')).toBeUndefined();
    expect(duplicateKeyOf("[1,2]")).toBeUndefined();
  });
});
