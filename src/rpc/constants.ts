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
/** Largest request line plus headers accepted. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Largest request body accepted (supervisorctl's largest calls are a few KB). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Connections served at once; more are refused until one closes. */
export const MAX_CONNECTIONS = 256;
/** How much of the log `tail -f` sends first, and how often it looks for more (supervisord's). */
export const LOGTAIL_HEAD_BYTES = 1024;
export const LOGTAIL_POLL_MS = 100;
/** The basic-auth realm supervisord announces. */
export const AUTH_REALM = "default";
