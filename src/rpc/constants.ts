// The control API's defaults, in one place.

/** corral's control socket when the config has no [unix_http_server] (directory 0700, socket 0600). */
export const DEFAULT_CONTROL_SOCKET = "/run/corral/corral.sock";
/** Environment variable that overrides DEFAULT_CONTROL_SOCKET (for corral and `corral ctl`). */
export const CONTROL_SOCKET_ENV = "CORRAL_CONTROL_SOCKET";
/** Flag that overrides it (same meaning as the variable). */
export const CONTROL_SOCKET_FLAG = "--control-socket";
/** Mode of the default socket's directory, and of the socket itself. */
export const CONTROL_DIR_MODE = 0o700;
export const CONTROL_SOCKET_MODE = 0o600;
/** supervisord's default chmod= for [unix_http_server] file=. */
export const UNIX_SOCKET_DEFAULT_MODE = 0o700;

/** The XML-RPC path supervisorctl posts to (supervisord answers any path starting with it). */
export const RPC_PATH = "/RPC2";
/** The path `supervisorctl tail -f` streams from: /logtail/NAME[/stdout|stderr]. */
export const LOGTAIL_PATH = "/logtail";
/** The path that streams corral's own log (supervisord's `/mainlogtail`). */
export const MAINLOGTAIL_PATH = "/mainlogtail";
// Connection limits (docs/control-api-limits.md explains each and how they were chosen).

/** Largest request line plus headers accepted (431 beyond). */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Most header fields in one request (431 beyond; supervisorctl sends 6). */
export const MAX_HEADER_FIELDS = 100;
/** Largest request body accepted (supervisorctl's largest calls are a few KB). */
export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Connections one listener holds at once (the unix and the TCP listener each have their own).
 * When full, a new connection evicts the one that has waited longest for a request (idle
 * keep-alive, or a request still trickling in); only when every connection is busy answering
 * or streaming a `tail -f` is the new one refused.
 */
export const MAX_CONNECTIONS = 256;
/** From a request's first byte to the end of its head (slowloris); 408 and close beyond. */
export const HEAD_TIMEOUT_MS = 10_000;
/** From the end of a request's head to the end of its body; 408 and close beyond. */
export const BODY_TIMEOUT_MS = 30_000;
/**
 * How long a connection may wait for its next request, new or kept alive, before it is closed.
 * supervisorctl opens a new connection for each command; supervisord itself drops a connection
 * idle for 30 minutes (medusa's zombie_timeout).
 */
export const IDLE_TIMEOUT_MS = 5 * 60_000;
/** A client that has not read any of its answer for this long is dropped (its answer waits unsent). */
export const SEND_STALL_TIMEOUT_MS = 30_000;
/** A connection closed after an error answer is dropped this long after, should the client not close it. */
export const CLOSE_LINGER_MS = 2_000;
/** How often a listener checks its connections' deadlines. */
export const CONNECTION_SWEEP_MS = 1_000;
/**
 * An answer is written in pieces of about this size, the next once the socket has taken the
 * last: an answer up to this size goes out whole with Content-Length (as supervisord's), a
 * bigger one chunked (HTTP/1.1) or up to the close (HTTP/1.0), so a connection holds about
 * this much of its answer whatever the answer's size.
 */
export const STREAM_CHUNK_BYTES = 64 * 1024;
/** The most a `tail -f` stream reads from the log at once. */
export const LOGTAIL_READ_BYTES = 64 * 1024;
/** How much of the log `tail -f` sends first, and how often it looks for more (supervisord's). */
export const LOGTAIL_HEAD_BYTES = 1024;
export const LOGTAIL_POLL_MS = 100;
/** The basic-auth realm supervisord announces. */
export const AUTH_REALM = "default";
