// Shared by corral.node's C files: argument helpers and each file's export registration.
#ifndef CORRAL_H
#define CORRAL_H
#define _GNU_SOURCE
#include <node_api.h>

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

// Throws and returns NULL from a napi callback when a Node-API call fails.
#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, NULL, "corral native: " #call " failed");     \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

// Retries a system call while it fails with EINTR; evaluates to its last result.
#define RETRY_EINTR(expr)                                                  \
  ({                                                                       \
    __typeof__(expr) retry_result_;                                        \
    do { retry_result_ = (expr); } while (retry_result_ < 0 && errno == EINTR); \
    retry_result_;                                                         \
  })

napi_value make_int(napi_env env, int64_t v);
// The number in `v`, or `fallback` when it is not a number.
int64_t get_int(napi_env env, napi_value v, int64_t fallback);
// A malloc'd copy of the JS string `v` (NULL when it is not a string).
char *get_string(napi_env env, napi_value v);
// The bytes of a typed array; false when `v` is not one.
bool get_bytes(napi_env env, napi_value v, void **data, size_t *len);
// obj[name], or NULL.
napi_value prop(napi_env env, napi_value obj, const char *name);
// Up to `max` numbers of the JS array `v` into `out`; how many, or -1 when `v` is not an array.
int get_int_array(napi_env env, napi_value v, int64_t *out, int max);
// A boolean property, `fallback` when absent or not a boolean.
bool get_bool_prop(napi_env env, napi_value obj, const char *name, bool fallback);
// The first argument of a call as an integer; `fallback` when it is absent or not a number.
int64_t int_arg(napi_env env, napi_callback_info info, int64_t fallback);
// A malloc'd copy of the first argument of a call; NULL when it is absent or not a string.
char *string_arg(napi_env env, napi_callback_info info);
// Reads the (fd, Uint8Array) arguments most I/O calls take; false (after throwing nothing) when malformed.
bool get_fd_bytes(napi_env env, napi_callback_info info, int *fd, void **data, size_t *len);
// exports[name] = fn
void export_fn(napi_env env, napi_value exports, const char *name, napi_callback fn);

// Each file registers its exports (called from Init in corral.c).
void register_spawn(napi_env env, napi_value exports);
void register_signals(napi_env env, napi_value exports);
void register_io(napi_env env, napi_value exports);
void register_locks(napi_env env, napi_value exports);
void register_pump(napi_env env, napi_value exports);
void register_dgram(napi_env env, napi_value exports);
void register_proc(napi_env env, napi_value exports);
void register_fds(napi_env env, napi_value exports);
void register_listen(napi_env env, napi_value exports);

// spawn.c, called by signals.c's reap. A reaped job that was given the terminal hands it back
// to corral's group.
void terminal_holder_reaped(pid_t pid);
// A job that holds the terminal and was stopped from it (^Z: the terminal signals the job's
// group, not corral): a corral that is not PID 1 stops too, so the shell gets its prompt back,
// and once the shell continues it (fg) gives the job the terminal again and SIGCONT.
void terminal_holder_stopped(void);

// The pump thread's epoll also watches datagram sockets (dgram.c): see pump-loop.c.
// Starts the pump (idempotent); 0 or -errno.
int pump_ensure_started(void);
// Watches `fd` for input (one shot) and posts a READABLE event with `id` to JS when it is readable.
int pump_watch_readable(int id, int fd, bool add);
void pump_unwatch(int fd);

#endif
