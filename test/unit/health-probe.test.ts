// Probe spellings shared by wait-until-healthy and the supervisor's ready= key.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseProbe } from "../../src/health/probe.ts";

const usageError = (message: string) => (e: Error) => e.name === "UsageError" && e.message === message;

test("http, https, tcp and exec probes parse into their parts", () => {
  assert.equal(parseProbe("http://127.0.0.1:8080/health"), { kind: "http", url: "http://127.0.0.1:8080/health" });
  assert.equal(parseProbe(" https://example.test/h?x=1 "), { kind: "http", url: "https://example.test/h?x=1" });
  assert.equal(parseProbe("tcp:localhost:5432"), { kind: "tcp", host: "localhost", port: 5432 });
  assert.equal(parseProbe("tcp:[::1]:80"), { kind: "tcp", host: "::1", port: 80 });
  assert.equal(parseProbe(`exec:pg_isready -h "db host" -t 1`), { kind: "exec", argv: ["pg_isready", "-h", "db host", "-t", "1"] });
});

test("anything else is a usage error with one exact message", () => {
  assert.throws(() => parseProbe("ftp://x"),
    usageError(`expected http://…, https://…, tcp:HOST:PORT or exec:COMMAND ARGS, got "ftp://x"`));
  assert.throws(() => parseProbe("localhost:80"),
    usageError(`expected http://…, https://…, tcp:HOST:PORT or exec:COMMAND ARGS, got "localhost:80"`));
  for (const bad of ["tcp:host", "tcp:host:0", "tcp:host:65536", "tcp::80", "tcp:a:b:80"]) {
    assert.throws(() => parseProbe(bad), usageError(`expected tcp:HOST:PORT with a port 1-65535, got "${bad}"`), bad);
  }
  assert.throws(() => parseProbe("exec:  "), usageError(`expected exec:COMMAND ARGS with a command, got "exec:  "`));
  assert.throws(() => parseProbe("http://[bad"), usageError(`expected a valid http:// or https:// URL, got "http://[bad"`));
});

test("exec words split as command= does (Python shlex), with no expansion", () => {
  assert.equal(parseProbe(`exec:sh -c 'echo "hi there" $HOME'`), { kind: "exec", argv: ["sh", "-c", `echo "hi there" $HOME`] });
  assert.equal(parseProbe(`exec:a "b \\"c\\"" e\\ f ''`), { kind: "exec", argv: ["a", `b "c"`, "e f", ""] });
  assert.equal(parseProbe("exec:  curl\t-fsS   x  "), { kind: "exec", argv: ["curl", "-fsS", "x"] });
  assert.throws(() => parseProbe(`exec:sh -c 'oops`), usageError(`exec: expected a closing ', got "sh -c 'oops"`));
});

test.run();
