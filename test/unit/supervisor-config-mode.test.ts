// Config mode's control sockets for [group:x] members: named by process, not by GROUP:PROCESS.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseConfigText } from "../../src/config/parse.ts";
import { controlsOf, programsOf } from "../../src/modes/config-mode.ts";

const load = (text: string) => programsOf(parseConfigText(text, "/etc/corral.conf", {}, { hostname: "box" }), false);

test("a group member's socket is named after its process, in its job's directory", () => {
  const controls = controlsOf(load("[group:site]\nprograms=web\n[program:web]\ncommand=web\njob=stack\n[program:db]\ncommand=db\njob=stack\n"), "/var/vcap");
  assert.equal([...controls].map(([name, p]) => [name, p.socket]), [
    ["db", "/var/vcap/data/stack/db_containerrun.sock"],
    ["site:web", "/var/vcap/data/stack/web_containerrun.sock"],
  ]);
});

test("two programs that would share a socket are an error naming both", () => {
  const programs = load("[group:a]\nprograms=web\n[group:b]\nprograms=web2\n[program:web]\ncommand=web\njob=j\n[program:web2]\ncommand=web\nprocess_name=web\njob=j\n");
  assert.throws(() => controlsOf(programs, "/v"), /job=j: expected one program per socket, got a:web and b:web both at \/v\/data\/j\/web_containerrun.sock/);
});

test.run();
