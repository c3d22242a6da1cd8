// Descriptors: pipes, tty checks, and reads and writes that never block corral's event loop.
#include "corral.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

// closeFd(fd) -> 0 or -errno
static napi_value CloseFd(napi_env env, napi_callback_info info) {
  int r = close((int)int_arg(env, info, -1));
  return make_int(env, r < 0 ? -errno : 0);
}

// pipe() -> [readFd, writeFd] (both CLOEXEC; spawn dup2s what a child needs) or -errno.
static napi_value Pipe(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return make_int(env, -errno);
  napi_value out;
  CHECK(napi_create_array(env, &out));
  napi_set_element(env, out, 0, make_int(env, fds[0]));
  napi_set_element(env, out, 1, make_int(env, fds[1]));
  return out;
}

// isatty(fd) -> bool
static napi_value IsTty(napi_env env, napi_callback_info info) {
  napi_value out;
  napi_get_boolean(env, isatty((int)int_arg(env, info, -1)) == 1, &out);
  return out;
}

// setNonBlocking(fd, on) -> 0 or -errno
static napi_value SetNonBlocking(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int fd = get_int(env, args[0], -1);
  bool on = true;
  if (argc > 1) napi_get_value_bool(env, args[1], &on);
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return make_int(env, -errno);
  flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  return make_int(env, fcntl(fd, F_SETFL, flags) < 0 ? -errno : 0);
}

// writeSome(fd, Uint8Array) -> bytes written, or -errno (EAGAIN when a pipe is full).
static napi_value WriteSome(napi_env env, napi_callback_info info) {
  int fd;
  void *data;
  size_t len;
  if (!get_fd_bytes(env, info, &fd, &data, &len)) return make_int(env, -EINVAL);
  ssize_t n = RETRY_EINTR(write(fd, data, len));
  return make_int(env, n < 0 ? -errno : n);
}

// readSome(fd, Uint8Array) -> bytes read (0 at end of file), or -errno (EAGAIN when empty).
static napi_value ReadSome(napi_env env, napi_callback_info info) {
  int fd;
  void *data;
  size_t len;
  if (!get_fd_bytes(env, info, &fd, &data, &len)) return make_int(env, -EINVAL);
  ssize_t n = RETRY_EINTR(read(fd, data, len));
  return make_int(env, n < 0 ? -errno : n);
}

// reopenNonBlocking(fd) -> a new O_NONBLOCK|O_CLOEXEC write descriptor for the pipe or
// terminal behind fd (a fresh open of /proc/self/fd/N, so fd's own flags, shared with
// children, stay blocking), or -errno; -ENOTSUP for anything else (a file, a socket).
static napi_value ReopenNonBlocking(napi_env env, napi_callback_info info) {
  int fd = (int)int_arg(env, info, -1);
  struct stat st;
  if (fstat(fd, &st) < 0) return make_int(env, -errno);
  if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) return make_int(env, -ENOTSUP);
  char path[32];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  int out = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  return make_int(env, out < 0 ? -errno : out);
}

// Reads all of `path` into malloc'd memory: its bytes and length, or NULL with errno set.
static char *read_whole(const char *path, size_t *len) {
  int fd = RETRY_EINTR(open(path, O_RDONLY | O_CLOEXEC));
  if (fd < 0) return NULL;
  struct stat st;
  size_t cap = fstat(fd, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
  char *buf = malloc(cap);
  size_t n = 0;
  for (ssize_t got = 1; buf && got > 0;) {
    if (n == cap) {
      char *bigger = realloc(buf, cap *= 2);
      if (!bigger) { free(buf); buf = NULL; errno = ENOMEM; break; }
      buf = bigger;
    }
    got = RETRY_EINTR(read(fd, buf + n, cap - n));
    if (got < 0) { int e = errno; free(buf); buf = NULL; errno = e; }
    else n += (size_t)got;
  }
  int e = errno;
  close(fd);
  errno = e;
  *len = n;
  return buf;
}

// readFile(path, latin1) -> the whole file as a latin1 string (latin1 true) or a Buffer,
// or -errno. The boot's reads: fs.readFileSync's first call costs ~0.7 ms of start-up.
static napi_value ReadFile(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  char *path = argc > 0 ? get_string(env, args[0]) : NULL;
  if (!path) return make_int(env, -EINVAL);
  bool latin1 = false;
  if (argc > 1) napi_get_value_bool(env, args[1], &latin1);
  size_t len;
  char *data = read_whole(path, &len);
  int e = errno;
  free(path);
  if (!data) return make_int(env, -e);
  napi_value out;
  napi_status status = latin1 ? napi_create_string_latin1(env, data, len, &out) : napi_create_buffer_copy(env, len, data, NULL, &out);
  free(data);
  CHECK(status);
  return out;
}

void register_io(napi_env env, napi_value exports) {
  export_fn(env, exports, "closeFd", CloseFd);
  export_fn(env, exports, "pipe", Pipe);
  export_fn(env, exports, "isatty", IsTty);
  export_fn(env, exports, "setNonBlocking", SetNonBlocking);
  export_fn(env, exports, "writeSome", WriteSome);
  export_fn(env, exports, "readSome", ReadSome);
  export_fn(env, exports, "reopenNonBlocking", ReopenNonBlocking);
  export_fn(env, exports, "readFile", ReadFile);
}
