// The descriptors corral was given above stdio (socket activation's LISTEN_FDS, podman's
// --preserve-fds): what is open at a number, so corral can tell a descriptor handed to it
// from one its runtime opened for itself at a number nobody passed.
#include "corral.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Room for a /proc/self/fd link's target ("socket:[123]", "anon_inode:[eventpoll]", a path). */
#define TARGET_BYTES 4096

// The target of /proc/self/fd/FD into `out` (NUL-terminated); false when it cannot be read.
static bool fd_target(int fd, char *out, size_t size) {
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, out, size - 1);
  if (n < 0) return false;
  out[n] = 0;
  return true;
}

// How many descriptors other than `fd` name `target` (the other end of a runtime's own pipe,
// or a dup of it).
static int same_target_count(int fd, const char *target) {
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) return 0;
  int lister = dirfd(dir), count = 0;
  char *other = malloc(TARGET_BYTES);
  for (struct dirent *e; other && (e = readdir(dir));) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    int n = atoi(e->d_name);
    if (n != fd && n != lister && fd_target(n, other, TARGET_BYTES) && strcmp(other, target) == 0) count++;
  }
  free(other);
  closedir(dir);
  return count;
}

// fdFacts(fd) -> [closeOnExec (0 or 1), target of /proc/self/fd/FD, how many other fds name
// the same target], or -errno (EBADF: nothing is open there).
static napi_value FdFacts(napi_env env, napi_callback_info info) {
  int fd = (int)int_arg(env, info, -1);
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0) return make_int(env, -errno);
  char *target = malloc(TARGET_BYTES);
  if (!target) return make_int(env, -ENOMEM);
  if (!fd_target(fd, target, TARGET_BYTES)) target[0] = 0;
  napi_value out, item;
  CHECK(napi_create_array_with_length(env, 3, &out));
  napi_set_element(env, out, 0, make_int(env, (flags & FD_CLOEXEC) ? 1 : 0));
  napi_create_string_utf8(env, target, NAPI_AUTO_LENGTH, &item);
  napi_set_element(env, out, 1, item);
  napi_set_element(env, out, 2, make_int(env, target[0] ? same_target_count(fd, target) : 0));
  free(target);
  return out;
}

void register_fds(napi_env env, napi_value exports) {
  export_fn(env, exports, "fdFacts", FdFacts);
}
