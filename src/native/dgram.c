// Unix datagram sockets (the control socket and ctl's replies) received into the caller's
// small buffer: a datagram longer than it is cut by the kernel (MSG_TRUNC reports its real
// length, so it is recognised and ignored), and nothing is allocated per datagram. The pump
// thread's epoll reports a readable socket to JS once (EPOLLONESHOT); JS reads until EAGAIN
// and then re-arms it with dgramArm.
#include "corral.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

// `path`'s address; with `abstract_at`, "@name" is `name` in the abstract namespace (as
// NOTIFY_SOCKET writes it): a leading NUL, and the length counts no trailing one.
static bool unix_address(const char *path, bool abstract_at, struct sockaddr_un *addr, socklen_t *len) {
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof addr->sun_path) return false;
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  memcpy(addr->sun_path, path, n);
  bool abstract = abstract_at && path[0] == '@' && n > 1;
  if (abstract) addr->sun_path[0] = 0;
  *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (abstract ? 0 : 1));
  return true;
}

// dgramOpen(path?) -> a non-blocking SOCK_DGRAM unix socket, bound to `path` when given
// (the file must not exist), or -errno. ENAMETOOLONG when the path does not fit sun_path.
static napi_value DgramOpen(napi_env env, napi_callback_info info) {
  char *path = string_arg(env, info);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int err = fd < 0 ? errno : 0;
  if (fd >= 0 && path) {
    struct sockaddr_un addr;
    socklen_t len;
    if (!unix_address(path, false, &addr, &len)) err = ENAMETOOLONG;
    else if (bind(fd, (struct sockaddr *)&addr, len) < 0) err = errno;
    if (err) close(fd);
  }
  free(path);
  return make_int(env, err ? -err : fd);
}

// dgramWatch(fd) -> 0 or -errno: the pump reports `fd` readable (event 6, id fd) once.
static napi_value DgramWatch(napi_env env, napi_callback_info info) {
  int fd = (int)int_arg(env, info, -1);
  int r = pump_ensure_started();
  if (r == 0) r = pump_watch_readable(fd, fd, true);
  return make_int(env, r);
}

// dgramArm(fd) -> 0 or -errno: report `fd` readable once more (after reading it dry).
static napi_value DgramArm(napi_env env, napi_callback_info info) {
  int fd = (int)int_arg(env, info, -1);
  return make_int(env, pump_watch_readable(fd, fd, false));
}

// dgramReceive(fd, data, from) -> the datagram's real length (more than data.length: it was
// cut), or -errno (EAGAIN: none waiting). `from` gets the sender's path NUL-terminated, empty
// for an unbound or abstract sender (neither can be replied to by path).
static napi_value DgramReceive(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int fd = (int)get_int(env, args[0], -1);
  void *data = NULL, *from = NULL;
  size_t len = 0, from_len = 0;
  if (!get_bytes(env, args[1], &data, &len) || !get_bytes(env, args[2], &from, &from_len) || from_len == 0) {
    return make_int(env, -EINVAL);
  }
  struct sockaddr_un addr;
  socklen_t addr_len = sizeof addr;
  memset(&addr, 0, sizeof addr);
  ssize_t n = RETRY_EINTR(recvfrom(fd, data, len, MSG_TRUNC | MSG_DONTWAIT, (struct sockaddr *)&addr, &addr_len));
  if (n < 0) return make_int(env, -errno);
  size_t path_len = addr_len > offsetof(struct sockaddr_un, sun_path) ? strnlen(addr.sun_path, sizeof addr.sun_path) : 0;
  if (path_len >= from_len) path_len = 0;
  memcpy(from, addr.sun_path, path_len);
  ((char *)from)[path_len] = 0;
  return make_int(env, n);
}

// dgramSend(fd, path, data, abstractAt?) -> 0 or -errno (ECONNREFUSED: nobody bound; EAGAIN:
// the receiver's queue is full). fd -1 sends from a fresh unbound socket; with abstractAt, a
// path "@name" is `name` in the abstract namespace (sd_notify's NOTIFY_SOCKET).
static napi_value DgramSend(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4] = {NULL, NULL, NULL, NULL};
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int fd = (int)get_int(env, args[0], -1);
  char *path = get_string(env, args[1]);
  void *data = NULL;
  size_t len = 0;
  struct sockaddr_un addr;
  socklen_t addr_len;
  int err = 0;
  bool abstract_at = false;
  if (args[3] && napi_get_value_bool(env, args[3], &abstract_at) != napi_ok) abstract_at = false;
  if (!path || !get_bytes(env, args[2], &data, &len)) err = EINVAL;
  else if (!unix_address(path, abstract_at, &addr, &addr_len)) err = ENAMETOOLONG;
  free(path);
  if (err) return make_int(env, -err);
  int own = fd < 0 ? socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0) : -1;
  if (fd < 0 && own < 0) return make_int(env, -errno);
  ssize_t n = RETRY_EINTR(sendto(fd < 0 ? own : fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&addr, addr_len));
  err = n < 0 ? errno : 0;
  if (own >= 0) close(own);
  return make_int(env, -err);
}

// dgramClose(fd) -> 0 or -errno: no more reports, and the socket closed.
static napi_value DgramClose(napi_env env, napi_callback_info info) {
  int fd = (int)int_arg(env, info, -1);
  pump_unwatch(fd);
  return make_int(env, close(fd) < 0 ? -errno : 0);
}

void register_dgram(napi_env env, napi_value exports) {
  export_fn(env, exports, "dgramOpen", DgramOpen);
  export_fn(env, exports, "dgramWatch", DgramWatch);
  export_fn(env, exports, "dgramArm", DgramArm);
  export_fn(env, exports, "dgramReceive", DgramReceive);
  export_fn(env, exports, "dgramSend", DgramSend);
  export_fn(env, exports, "dgramClose", DgramClose);
}
