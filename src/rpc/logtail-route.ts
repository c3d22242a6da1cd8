// GET /logtail/NAME[/stdout|stderr]: supervisord's logtail_handler and tail_f_producer, the last
// 1 KiB of the log, then whatever is added, read in bounded pieces while the client keeps up.
import { LOGTAIL_HEAD_BYTES, LOGTAIL_PATH, LOGTAIL_POLL_MS, LOGTAIL_READ_BYTES, MAINLOGTAIL_PATH } from "./constants.ts";
import { logSource, mainLogSource } from "./logs.ts";
import { splitName } from "./names.ts";
import type { Route } from "./server.ts";

const enc = new TextEncoder();
const TEXT: [string, string][] = [["Content-Type", "text/plain"]];

/**
 * The `supervisorctl tail -f` route, also /mainlogtail (corral's own log, as supervisord's mainlogtail_handler). A client that stops reading is not read for (the log stays
 * on disk) and is dropped after SEND_STALL_TIMEOUT_MS.
 * @example ROUTES.includes(logtailRoute) // true
 */
export const logtailRoute: Route = {
  matches: (path) => path.startsWith(LOGTAIL_PATH) || path.startsWith(MAINLOGTAIL_PATH),
  answer({ request, path: rawPath, ctx, send, follow }) {
    if (request.method !== "GET") return send(400, TEXT, "logtail needs GET\n", false);
    let path: string;
    try { path = decodeURIComponent(rawPath); } catch { return send(400, TEXT, "bad %-escape in the path\n", false); }
    const rest = path.replace(/^\/+/, "").split("/").slice(1).join("/");
    const slash = rest.indexOf("/");
    const name = slash < 0 ? rest : rest.slice(0, slash);
    const channel = slash < 0 ? "stdout" : rest.slice(slash + 1);
    const { group, process } = splitName(name);
    const info = ctx.port.processes().find((p) => p.group === group && p.name === process);
    const file = rawPath.startsWith(MAINLOGTAIL_PATH) ? mainLogSource(ctx.port.mainLogfile) : info && (channel === "stdout" || channel === "stderr") ? logSource(info, channel) : undefined;
    const size = file ? ctx.logs.size(file) : undefined;
    if (!file || size === undefined) return send(404, TEXT, "not found\n");
    let inode = ctx.logs.inode(file);
    let sent = size >= LOGTAIL_HEAD_BYTES ? size - LOGTAIL_HEAD_BYTES : 0;
    follow([["Content-Type", "text/plain;charset=utf-8"], ["X-Accel-Buffering", "no"], ["X-Content-Type-Options", "nosniff"]], LOGTAIL_POLL_MS, (out) => {
      const now = ctx.logs.inode(file);
      if (now !== undefined && now !== inode) {
        inode = now; // rotated: follow the new file from its start
        sent = 0;
      }
      const current = ctx.logs.size(file);
      if (current === undefined) return;
      if (current < sent) {
        sent = 0;
        out.write(enc.encode("==> File truncated <==\n"));
        return;
      }
      sent = Math.max(sent, ctx.logs.first?.(file) ?? 0); // an in-memory tail let older bytes go
      while (current > sent && !out.behind()) {
        let bytes: Uint8Array;
        try { bytes = ctx.logs.read(file, sent, Math.min(LOGTAIL_READ_BYTES, current - sent)); } catch { return; }
        if (!bytes.length) return;
        sent += bytes.length;
        if (!out.write(bytes)) return;
      }
    });
  },
};
