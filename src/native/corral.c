// corral's native piece, corral.node: the few system calls neither Node nor Deno exposes,
// and the threads that must not wait for JavaScript. One file per concern:
//
// spawn.c    clone+exec into a new process group (optionally the TTY foreground), with
//            cwd/umask/uid/gid/groups/stdio, exec errors reported synchronously.
// signals.c  reaping (waitpid(-1): corral spawns every child, so it may reap them all),
//            real-time signals forwarded from C, the relay of every other signal to JS,
//            kill and the subreaper flag.
// io.c       pipes, tty checks, reads and writes that never block the event loop.
// locks.c    the flock that keeps two instances off one job.
// pump-*.c   the log pump: programs' output to prefixes, JSON lines and rotating files
//            (pump.h says which file holds which part).
// dgram.c    unix datagram sockets received into a small buffer (the control socket).
// proc.c     the /proc reads: a subreaper's descendants, a process's state (so Deno needs no --allow-all).
// fds.c      what is open at fds 3.. (to tell the descriptors corral was given from its runtime's own).
// listen.c   listening stream sockets handed to programs as fd 0 ([fcgi-program:x]).
// args.c     reading JS arguments (corral.h declares what the files share).
//
// Plain Node-API (C), so Node and Deno load the same .node file. No malloc tuning is needed:
// datagrams, once 64 KiB buffers each, are now read into one small buffer per socket.
#include "corral.h"

static napi_value Init(napi_env env, napi_value exports) {
  register_spawn(env, exports);
  register_signals(env, exports);
  register_io(env, exports);
  register_locks(env, exports);
  register_pump(env, exports);
  register_dgram(env, exports);
  register_proc(env, exports);
  register_fds(env, exports);
  register_listen(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
