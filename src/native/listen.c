// Listening stream sockets made before a program starts, handed to its processes as fd 0
// (supervisord's [fcgi-program:x] socket=): TCP with SO_REUSEADDR, or a unix socket file
// chowned and chmodded as asked. Blocking and close-on-exec: the child gets its own fd 0
// through spawn's stdio (dup2 clears the flag there), and accepts on it as it likes.
#include "corral.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

// A TCP socket bound to HOST:PORT (an IPv4 name or address, as Python's AF_INET bind
// resolves it); -ENXIO when the host does not resolve, else -errno.
static int tcp_socket(const char *host, int port) {
  struct addrinfo hints, *found = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, NULL, &hints, &found) != 0 || !found) return -ENXIO;
  struct sockaddr_in addr;
  memcpy(&addr, found->ai_addr, sizeof addr);
  freeaddrinfo(found);
  addr.sin_port = htons((uint16_t)port);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  return fd;
}

// A unix socket bound at `path`, then chowned (uid -1: left) and chmodded (mode -1: left).
// A socket file already there is replaced, as supervisord does; anything else there is
// refused with -EEXIST (supervisord would delete it).
static int unix_socket(const char *path, int mode, int uid, int gid) {
  struct sockaddr_un addr;
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof addr.sun_path) return -ENAMETOOLONG;
  struct stat st;
  if (lstat(path, &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return -EEXIST;
    unlink(path);
  }
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path, n);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  if ((uid >= 0 && chown(path, (uid_t)uid, (gid_t)gid) < 0) || (mode >= 0 && chmod(path, (mode_t)mode) < 0)) {
    int err = errno;
    close(fd);
    unlink(path);
    return -err;
  }
  return fd;
}

// listenStream(address, port, backlog, mode, uid, gid) -> a listening socket's fd, or -errno.
// port >= 0: TCP on host `address`; port < 0: a unix socket at path `address`, with mode and
// owner (-1: leave them). backlog 0: the system's most (SOMAXCONN, as supervisord).
static napi_value ListenStream(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value args[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  char *address = get_string(env, args[0]);
  int port = (int)get_int(env, args[1], -1);
  int backlog = (int)get_int(env, args[2], 0);
  int fd = !address ? -EINVAL : port >= 0 ? tcp_socket(address, port)
      : unix_socket(address, (int)get_int(env, args[3], -1), (int)get_int(env, args[4], -1), (int)get_int(env, args[5], -1));
  if (fd >= 0 && listen(fd, backlog > 0 ? backlog : SOMAXCONN) < 0) {
    int err = errno;
    close(fd);
    if (port < 0) unlink(address);
    fd = -err;
  }
  free(address);
  return make_int(env, fd);
}

void register_listen(napi_env env, napi_value exports) {
  export_fn(env, exports, "listenStream", ListenStream);
}
