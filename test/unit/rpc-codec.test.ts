// The XML-RPC codec against what Python's xmlrpc.client (supervisorctl) writes and reads.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeCall, encodeFault, encodeResponse, encodeValue, encodeValueParts, parseMethodCall, parseResponse, STRING_SLICE_CHARS } from "../../src/rpc/codec.ts";
import { escapeXml, XmlError } from "../../src/rpc/xml.ts";

// Recorded from Python 3's xmlrpc.client.dumps.
const PY_RESPONSE = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n<value><int>1</int></value>\n<value><string>a&lt;&amp;&gt;</string></value>\n<value><boolean>1</boolean></value>\n<value><struct>\n<member>\n<name>k</name>\n<value><double>2.5</double></value>\n</member>\n<member>\n<name>n</name>\n<value><array><data>\n</data></array></value>\n</member>\n</struct></value>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n";
const PY_FAULT = "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>10</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>BAD_NAME: x</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n";
const PY_CALL = "<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.startProcess</methodName>\n<params>\n<param>\n<value><string>foo</string></value>\n</param>\n<param>\n<value><boolean>1</boolean></value>\n</param>\n</params>\n</methodCall>\n";

test("responses and faults are byte for byte what Python's xmlrpc.client writes", () => {
  assert.is(encodeResponse([1, "a<&>", true, { k: 2.5, n: [] }]), PY_RESPONSE);
  assert.is(encodeFault(10, "BAD_NAME: x"), PY_FAULT);
  assert.is(encodeCall("supervisor.startProcess", ["foo", true]), PY_CALL);
});

test("a call supervisorctl sends decodes to its method and params", () => {
  assert.equal(parseMethodCall(PY_CALL), { method: "supervisor.startProcess", params: ["foo", true] });
  assert.equal(parseMethodCall("<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getVersion</methodName>\n<params>\n</params>\n</methodCall>\n"), { method: "supervisor.getVersion", params: [] });
});

test("every XML-RPC type decodes (int, i4, boolean, double, base64, string, untyped, array, struct, nil)", () => {
  const body = `<methodCall><methodName>x.y</methodName><params>
    <param><value><i4> -7 </i4></value></param><param><value><int>3</int></value></param>
    <param><value><boolean>0</boolean></value></param><param><value><double>1.5e2</double></value></param>
    <param><value><base64>aGk=</base64></value></param><param><value>plain &#x41;&#66;</value></param>
    <param><value><array><data><value><string>a</string></value></data></array></value></param>
    <param><value><struct><member><name>k</name><value><nil/></value></member></struct></value></param>
    <param><value><string><![CDATA[<raw>]]></string></value></param>
  </params></methodCall>`;
  assert.equal(parseMethodCall(body).params, [-7, 3, false, 150, "hi", "plain AB", ["a"], { k: null }, "<raw>"]);
});

test("responses decode, faults included", () => {
  assert.equal(parseResponse(PY_RESPONSE), { value: [1, "a<&>", true, { k: 2.5, n: [] }] });
  assert.equal(parseResponse(PY_FAULT), { fault: { faultCode: 10, faultString: "BAD_NAME: x" } });
});

test("malformed XML and values are XmlErrors, never crashes", () => {
  const bad = [
    "", "<methodCall>", "<methodCall><methodName>a</methodCall>", "not xml", "<a></a><b></b>",
    '<!DOCTYPE x [<!ENTITY a "aaaa">]><methodCall/>', "<methodCall><params><param><value><int>x</int></value></param></params></methodCall>",
    "<methodCall><methodName>&bogus;</methodName></methodCall>", "<methodResponse/>", "<" + "<a>".repeat(100),
    "<methodCall>" + "<value>".repeat(100) + "</value>".repeat(100) + "</methodCall>",
  ];
  for (const b of bad) assert.throws(() => parseMethodCall(b), (e: unknown) => e instanceof XmlError, JSON.stringify(b.slice(0, 40)));
});

test("ints outside XML-RPC's int32 are capped like supervisord's capped_int", () => {
  assert.match(encodeResponse(2 ** 40), "<int>2147483647</int>");
});

test("a control character in a request is refused, raw or as a reference (expat's rule, supervisord's 400)", () => {
  const call = (s: string) => `<methodCall><methodName>supervisor.getProcessInfo</methodName><params><param><value><string>${s}</string></value></param></params></methodCall>`;
  for (const bad of ["a\x00b", "\x01", "\x1b[0m", "&#0;", "&#1;", "&#x1F;", "&#xD800;", "&#xFFFE;", "\uFFFF", "\uD800"]) {
    assert.throws(() => parseMethodCall(call(bad)), (e: unknown) => e instanceof XmlError, JSON.stringify(bad));
  }
  assert.equal(parseMethodCall(call("tab\there\r\n&#9;&#x10000;")).params, ["tab\there\r\n\t\u{10000}"]);
});

test("what XML cannot carry is written as U+FFFD, so every answer parses; pairs stay whole", () => {
  assert.is(escapeXml("a\x00b\x1b[31m<&>\uD800x\uDC00\uFFFE"), "a\uFFFDb\uFFFD[31m&lt;&amp;&gt;\uFFFDx\uFFFD\uFFFD");
  assert.is(escapeXml("\u{1F600}\t\n\r"), "\u{1F600}\t\n\r");
  assert.equal(parseResponse(encodeFault(10, "BAD_NAME: \x00\x07")), { fault: { faultCode: 10, faultString: "BAD_NAME: \uFFFD\uFFFD" } });
});

test("a value's pieces join to its encoding; long strings are sliced without splitting a surrogate pair", () => {
  const long = "x".repeat(STRING_SLICE_CHARS - 1) + "\u{1F600}" + "<".repeat(STRING_SLICE_CHARS);
  const value = [1, "a", [long, { k: "v" }], null];
  const parts = [...encodeValueParts(value)];
  assert.is(parts.join(""), encodeValue(value));
  assert.ok(parts.length > 6);
  assert.not.ok(parts.join("").includes("\uFFFD"));
});

test("a struct member named __proto__ is a plain key, not the value's prototype", () => {
  const body = "<methodCall><methodName>x.y</methodName><params><param><value><struct><member><name>__proto__</name><value><struct><member><name>methodName</name><value>evil</value></member></struct></value></member></struct></value></param></params></methodCall>";
  const [v] = parseMethodCall(body).params as [Record<string, unknown>];
  assert.is(Object.getPrototypeOf(v), Object.prototype);
  assert.is(v["methodName"], undefined);
  assert.ok(Object.hasOwn(v, "__proto__"));
});

test.run();
