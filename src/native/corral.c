// corral's native piece: the few system calls neither Node nor Deno exposes.
//
// spawn     fork+exec into a new process group (optionally the TTY foreground),
//           with cwd/umask/uid/gid/stdio, exec errors reported synchronously.
// reap      waitpid(-1, WNOHANG) until nothing is left: corral spawns every
//           child through `spawn`, so it owns every child and may reap them all.
// rt        real-time signals (not catchable from JS) forwarded from a C handler.
// misc      kill, subreaper, SIG_IGN, flock, pipe, tty handover.
//
// Plain Node-API (C), so Node and Deno load the same .node file.
#define _GNU_SOURCE
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define MAX_PATH_CANDIDATES 64

// ---------------------------------------------------------------- helpers

#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, NULL, "corral native: " #call " failed");     \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static napi_value make_int(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

static int get_int(napi_env env, napi_value v, int64_t fallback) {
  napi_valuetype t;
  int64_t out;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return (int)fallback;
  napi_get_value_int64(env, v, &out);
  return (int)out;
}

// Copies a JS string into a malloc'd C string (NULL when not a string).
static char *get_string(napi_env env, napi_value v) {
  size_t len;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) return NULL;
  napi_get_value_string_utf8(env, v, NULL, 0, &len);
  char *s = malloc(len + 1);
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

// Copies a JS array of strings into a NULL-terminated malloc'd vector.
static char **get_string_array(napi_env env, napi_value v, uint32_t *count) {
  bool is_array = false;
  uint32_t n = 0;
  napi_is_array(env, v, &is_array);
  if (is_array) napi_get_array_length(env, v, &n);
  char **out = calloc(n + 1, sizeof(char *));
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    napi_get_element(env, v, i, &item);
    out[i] = get_string(env, item);
    if (!out[i]) out[i] = strdup("");
  }
  if (count) *count = n;
  return out;
}

static void free_string_array(char **a) {
  if (!a) return;
  for (char **p = a; *p; p++) free(*p);
  free(a);
}

// The bytes of a typed array (a Uint8Array from JS); false when `v` is not one.
static bool get_bytes(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_typed = false;
  napi_is_typedarray(env, v, &is_typed);
  if (!is_typed) return false;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  napi_get_typedarray_info(env, v, &type, len, data, &buffer, &offset);
  return true;
}

static napi_value prop(napi_env env, napi_value obj, const char *name) {
  napi_value v;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return NULL;
  return v;
}

// ---------------------------------------------------------------- spawn

// Child side of spawn: only async-signal-safe calls from here to exec.
static void child_exec(int err_fd, char **candidates, int ncand, char **argv, char **envp,
                       const char *cwd, int new_group, int foreground, int umask_v,
                       int uid, int gid, const int *stdio) {
  int err = 0;
  if (new_group) {
    if (setpgid(0, 0) < 0) { err = errno; goto fail; }
    // corral ignores SIGTTOU, so a background group may take the terminal.
    if (foreground && tcsetpgrp(STDIN_FILENO, getpid()) < 0) { /* not a tty after all */ }
  }
  for (int fd = 0; fd < 3; fd++) {
    if (stdio[fd] >= 0 && stdio[fd] != fd) {
      if (dup2(stdio[fd], fd) < 0) { err = errno; goto fail; }
    } else if (stdio[fd] == fd) {
      int flags = fcntl(fd, F_GETFD);
      if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
  }
  if (cwd && chdir(cwd) < 0) { err = errno; goto fail; }
  if (umask_v >= 0) umask((mode_t)umask_v);
  if (gid >= 0) {
    if (setgroups(0, NULL) < 0 && uid >= 0) { /* best effort; setgid below decides */ }
    if (setgid((gid_t)gid) < 0) { err = errno; goto fail; }
  }
  if (uid >= 0 && setuid((uid_t)uid) < 0) { err = errno; goto fail; }

  // Children start with default dispositions and an empty mask, whatever corral set.
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++) sigaction(s, &dfl, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);

  // Close every inherited descriptor above stdio except the error pipe (CLOEXEC).
#ifdef SYS_close_range
  if (err_fd > 3) syscall(SYS_close_range, 3, err_fd - 1, 0);
  syscall(SYS_close_range, err_fd + 1, ~0U, 0);
#endif

  err = ENOENT;
  for (int i = 0; i < ncand; i++) {
    execve(candidates[i], argv, envp);
    // EACCES on one PATH entry is remembered, but a later entry may still succeed.
    if (errno != ENOENT && errno != ENOTDIR) err = errno;
  }
fail:
  while (write(err_fd, &err, sizeof err) < 0 && errno == EINTR) {}
  _exit(127);
}

// spawn(file, argv, env, opts) -> pid (> 0) or -errno.
// opts: { cwd?, newGroup?, foreground?, umask?, uid?, gid?, stdio?: [in, out, err] }
static napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  char *file = get_string(env, args[0]);
  char **argv = get_string_array(env, args[1], NULL);
  char **envp = get_string_array(env, args[2], NULL);
  napi_value opts = args[3];
  char *cwd = get_string(env, prop(env, opts, "cwd"));
  bool new_group = false, foreground = false;
  napi_value v;
  if ((v = prop(env, opts, "newGroup"))) napi_get_value_bool(env, v, &new_group);
  if ((v = prop(env, opts, "foreground"))) napi_get_value_bool(env, v, &foreground);
  int umask_v = get_int(env, prop(env, opts, "umask"), -1);
  int uid = get_int(env, prop(env, opts, "uid"), -1);
  int gid = get_int(env, prop(env, opts, "gid"), -1);
  int stdio[3] = {0, 1, 2};
  napi_value sv = prop(env, opts, "stdio");
  bool is_array = false;
  if (sv) napi_is_array(env, sv, &is_array);
  if (is_array) {
    for (uint32_t i = 0; i < 3; i++) {
      napi_value item;
      if (napi_get_element(env, sv, i, &item) == napi_ok) stdio[i] = get_int(env, item, i);
    }
  }

  // Resolve PATH in the parent (malloc is not safe after fork).
  char *candidates[MAX_PATH_CANDIDATES];
  int ncand = 0;
  if (!file || !*file) {
    candidates[ncand++] = strdup("");
  } else if (strchr(file, '/')) {
    candidates[ncand++] = strdup(file);
  } else {
    const char *path = NULL;
    for (char **e = envp; *e; e++)
      if (strncmp(*e, "PATH=", 5) == 0) { path = *e + 5; break; }
    if (!path) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    const char *p = path;
    while (ncand < MAX_PATH_CANDIDATES) {
      const char *end = strchr(p, ':');
      size_t dlen = end ? (size_t)(end - p) : strlen(p);
      size_t flen = strlen(file);
      char *c = malloc(dlen + flen + 2);
      if (dlen == 0) { memcpy(c, file, flen + 1); }
      else { memcpy(c, p, dlen); c[dlen] = '/'; memcpy(c + dlen + 1, file, flen + 1); }
      candidates[ncand++] = c;
      if (!end) break;
      p = end + 1;
    }
  }

  int result;
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0) {
    result = -errno;
  } else {
    pid_t pid = fork();
    if (pid == 0) {
      close(pipefd[0]);
      child_exec(pipefd[1], candidates, ncand, argv, envp, cwd, new_group, foreground,
                 umask_v, uid, gid, stdio);
    }
    if (pid < 0) {
      result = -errno;
      close(pipefd[0]);
      close(pipefd[1]);
    } else {
      // Both sides set the group, so signals to -pid work as soon as spawn returns.
      if (new_group) setpgid(pid, pid);
      close(pipefd[1]);
      int child_err = 0;
      ssize_t n;
      do { n = read(pipefd[0], &child_err, sizeof child_err); } while (n < 0 && errno == EINTR);
      close(pipefd[0]);
      if (n == (ssize_t)sizeof child_err) {
        // exec failed: collect the child here so the reaper never sees it.
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
        result = -child_err;
      } else {
        result = pid;
      }
    }
  }
  for (int i = 0; i < ncand; i++) free(candidates[i]);
  free(file);
  free(cwd);
  free_string_array(argv);
  free_string_array(envp);
  return make_int(env, result);
}

// ---------------------------------------------------------------- reap

// reap() -> flat array [pid, code, signal, pid, code, signal, ..., more]
// code is -1 when killed by a signal. The last element is 1 while children remain,
// 0 once waitpid says there are none (ECHILD).
static napi_value Reap(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_array(env, &out));
  uint32_t i = 0;
  int remaining = 1;
  for (;;) {
    int st;
    pid_t pid = waitpid(-1, &st, WNOHANG);
    if (pid == 0) break;
    if (pid < 0) {
      if (errno == EINTR) continue;
      remaining = 0;
      break;
    }
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    int sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    napi_set_element(env, out, i++, make_int(env, pid));
    napi_set_element(env, out, i++, make_int(env, code));
    napi_set_element(env, out, i++, make_int(env, sig));
  }
  napi_set_element(env, out, i, make_int(env, remaining));
  return out;
}

// ---------------------------------------------------------------- real-time signals

static volatile sig_atomic_t rt_target = 0;  // pid, or -pgid; 0 = drop
static volatile sig_atomic_t rt_rewrite[NSIG];

static void on_rt_signal(int sig) {
  int saved = errno;
  int to = rt_rewrite[sig] >= 0 ? rt_rewrite[sig] : sig;
  if (rt_target != 0 && to > 0) kill(rt_target, to);
  errno = saved;
}

// forwardRealtime(target, rewrites[]) installs (once) and retargets the RT handlers.
// rewrites is a flat array [from, to, ...]; to 0 drops the signal.
static napi_value ForwardRealtime(napi_env env, napi_callback_info info) {
  static int installed = 0;
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  rt_target = get_int(env, args[0], 0);
  for (int s = 0; s < NSIG; s++) rt_rewrite[s] = -1;
  uint32_t n = 0;
  bool is_array = false;
  if (argc > 1) napi_is_array(env, args[1], &is_array);
  if (is_array) napi_get_array_length(env, args[1], &n);
  for (uint32_t i = 0; i + 1 < n; i += 2) {
    napi_value a, b;
    napi_get_element(env, args[1], i, &a);
    napi_get_element(env, args[1], i + 1, &b);
    int from = get_int(env, a, -1), to = get_int(env, b, -1);
    if (from > 0 && from < NSIG) rt_rewrite[from] = to;
  }
  if (!installed) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_rt_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int s = SIGRTMIN; s <= SIGRTMAX; s++) sigaction(s, &sa, NULL);
    installed = 1;
  }
  return make_int(env, SIGRTMIN);
}

// ---------------------------------------------------------------- small calls

// kill(pid, sig) -> 0 or -errno
static napi_value Kill(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int r = kill(get_int(env, args[0], 0), get_int(env, args[1], 0));
  return make_int(env, r < 0 ? -errno : 0);
}

// ignoreSignal(sig) -> 0 or -errno: SIG_IGN, e.g. for SIGTTOU/SIGTTIN.
static napi_value IgnoreSignal(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_IGN;
  int r = sigaction(get_int(env, args[0], 0), &sa, NULL);
  return make_int(env, r < 0 ? -errno : 0);
}

// setSubreaper() -> 0 or -errno
static napi_value SetSubreaper(napi_env env, napi_callback_info info) {
  (void)info;
  int r = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  return make_int(env, r < 0 ? -errno : 0);
}

// lockFile(path) -> fd (exclusive non-blocking flock held) or -errno.
static napi_value LockFile(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  char *path = get_string(env, args[0]);
  if (!path) return make_int(env, -EINVAL);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  int err = fd < 0 ? errno : 0;
  free(path);
  if (fd < 0) return make_int(env, -err);
  if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
    err = errno;
    close(fd);
    return make_int(env, -err);
  }
  return make_int(env, fd);
}

// closeFd(fd) -> 0 or -errno
static napi_value CloseFd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int r = close(get_int(env, args[0], -1));
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
  size_t argc = 1;
  napi_value args[1];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  napi_value out;
  napi_get_boolean(env, isatty(get_int(env, args[0], -1)) == 1, &out);
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
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int fd = get_int(env, args[0], -1);
  void *data = NULL;
  size_t len = 0;
  if (!get_bytes(env, args[1], &data, &len)) return make_int(env, -EINVAL);
  ssize_t n;
  do { n = write(fd, data, len); } while (n < 0 && errno == EINTR);
  return make_int(env, n < 0 ? -errno : n);
}

// readSome(fd, Uint8Array) -> bytes read (0 at end of file), or -errno (EAGAIN when empty).
static napi_value ReadSome(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int fd = get_int(env, args[0], -1);
  void *data = NULL;
  size_t len = 0;
  if (!get_bytes(env, args[1], &data, &len)) return make_int(env, -EINVAL);
  ssize_t n;
  do { n = read(fd, data, len); } while (n < 0 && errno == EINTR);
  return make_int(env, n < 0 ? -errno : n);
}

// reopenNonBlocking(fd) -> a new O_NONBLOCK|O_CLOEXEC write descriptor for the pipe or
// terminal behind fd (a fresh open of /proc/self/fd/N, so fd's own flags, shared with
// children, stay blocking), or -errno; -ENOTSUP for anything else (a file, a socket).
static napi_value ReopenNonBlocking(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int fd = get_int(env, args[0], -1);
  struct stat st;
  if (fstat(fd, &st) < 0) return make_int(env, -errno);
  if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) return make_int(env, -ENOTSUP);
  char path[32];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  int out = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  return make_int(env, out < 0 ? -errno : out);
}

// writeNoWait(fd, Uint8Array) -> bytes written or -errno. On a socket, send(2) with
// MSG_DONTWAIT never blocks even though fd itself (shared with children) stays blocking;
// anything else gets a plain write(2).
static napi_value WriteNoWait(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int fd = get_int(env, args[0], -1);
  void *data = NULL;
  size_t len = 0;
  if (!get_bytes(env, args[1], &data, &len)) return make_int(env, -EINVAL);
  ssize_t n;
  do { n = send(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == ENOTSOCK) {
    do { n = write(fd, data, len); } while (n < 0 && errno == EINTR);
  }
  return make_int(env, n < 0 ? -errno : n);
}

// prefixLines(src, from, prefix, dst, maxLine) -> [consumed, produced]: copies the whole
// lines of src from `from` into dst, each as prefix + line + newline, with memchr/memcpy
// (the per-line cost in JS is what limits log_prefix throughput). Stops at a line without
// its newline, a line longer than maxLine, or a full dst; the caller handles the rest.
static napi_value PrefixLines(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  uint8_t *src = NULL, *prefix = NULL, *dst = NULL;
  size_t src_len = 0, prefix_len = 0, dst_len = 0;
  if (!get_bytes(env, args[0], (void **)&src, &src_len) || !get_bytes(env, args[2], (void **)&prefix, &prefix_len) ||
      !get_bytes(env, args[3], (void **)&dst, &dst_len)) {
    return make_int(env, -EINVAL);
  }
  size_t pos = (size_t)get_int(env, args[1], 0), out = 0;
  size_t max_line = (size_t)get_int(env, args[4], 0);
  while (pos < src_len) {
    uint8_t *nl = memchr(src + pos, '\n', src_len - pos);
    if (!nl) break;
    size_t line = (size_t)(nl - (src + pos));
    if (line > max_line || out + prefix_len + line + 1 > dst_len) break;
    memcpy(dst + out, prefix, prefix_len);
    memcpy(dst + out + prefix_len, src + pos, line + 1);
    out += prefix_len + line + 1;
    pos += line + 1;
  }
  napi_value result;
  CHECK(napi_create_array_with_length(env, 2, &result));
  napi_set_element(env, result, 0, make_int(env, (int64_t)pos));
  napi_set_element(env, result, 1, make_int(env, (int64_t)out));
  return result;
}

#define EXPORT(name, fn)                                                   \
  do {                                                                     \
    napi_value f;                                                          \
    napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f);       \
    napi_set_named_property(env, exports, name, f);                        \
  } while (0)



// ---------------------------------------------------------------- signal takeover
// Deno (>= 2.9.2) starts an inspector on 127.0.0.1:9229 when SIGUSR1 arrives, from a
// process-wide handler it installs 500 ms after start-up. PID 1 must never do that: corral
// puts its own handler back, which only reports the signal through a pipe JS reads.

static int takeover_pipe[2] = {-1, -1};

static void on_taken_signal(int sig) {
  int saved = errno;
  unsigned char byte = (unsigned char)sig;
  if (write(takeover_pipe[1], &byte, 1) < 0) { /* pipe full: the signal merges, as signals do */ }
  errno = saved;
}

// takeOverSignal(sig) -> the pipe's read end (one byte per signal), or -errno.
static napi_value TakeOverSignal(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  if (takeover_pipe[0] < 0 && pipe2(takeover_pipe, O_CLOEXEC | O_NONBLOCK) < 0) return make_int(env, -errno);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_taken_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  if (sigaction(get_int(env, args[0], 0), &sa, NULL) < 0) return make_int(env, -errno);
  return make_int(env, takeover_pipe[0]);
}

// isTakenOver(sig) -> whether corral's takeover handler is still the one installed.
static napi_value IsTakenOver(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1], out;
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  struct sigaction current;
  bool ours = sigaction(get_int(env, args[0], 0), NULL, &current) == 0 && current.sa_handler == on_taken_signal;
  napi_get_boolean(env, ours, &out);
  return out;
}

// ---------------------------------------------------------------- faults sent by kill(2)
// SIGILL/SIGBUS/SIGFPE/SIGSEGV are corral's own faults, not forwarded (as in tini). Sent from
// outside the namespace with kill(2) they would kill PID 1; such ones are ignored, while a
// real fault still ends corral as it would have.

static void on_fault(int sig, siginfo_t *info, void *ctx) {
  (void)ctx;
  if (info->si_code <= 0) return;  // SI_USER, SI_QUEUE, SI_TKILL: sent, not raised by the CPU
  signal(sig, SIG_DFL);             // a real fault: the instruction runs again and kills us
}

// ignoreSentFaults() -> 0 or -errno
static napi_value IgnoreSentFaults(napi_env env, napi_callback_info info) {
  (void)info;
  static const int faults[] = {SIGILL, SIGBUS, SIGFPE, SIGSEGV};
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
    if (sigaction(faults[i], &sa, NULL) < 0) return make_int(env, -errno);
  }
  return make_int(env, 0);
}

// Datagrams (up to 64 KiB each) arrive as fresh buffers freed only by a later GC. Served from
// mmap above this size, their memory goes back to the system when freed, instead of staying
// in malloc's heap: a flood of large datagrams then leaves no lasting RSS behind.
#define MMAP_THRESHOLD_BYTES (32 * 1024)

// Registered by pump.c and dgram.c (see corral.h).
void register_pump(napi_env env, napi_value exports);
void register_dgram(napi_env env, napi_value exports);

static napi_value Init(napi_env env, napi_value exports) {
  mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
  EXPORT("spawn", Spawn);
  EXPORT("takeOverSignal", TakeOverSignal);
  EXPORT("isTakenOver", IsTakenOver);
  EXPORT("ignoreSentFaults", IgnoreSentFaults);
  EXPORT("reap", Reap);
  EXPORT("forwardRealtime", ForwardRealtime);
  EXPORT("kill", Kill);
  EXPORT("ignoreSignal", IgnoreSignal);
  EXPORT("setSubreaper", SetSubreaper);
  EXPORT("lockFile", LockFile);
  EXPORT("closeFd", CloseFd);
  EXPORT("pipe", Pipe);
  EXPORT("isatty", IsTty);
  EXPORT("setNonBlocking", SetNonBlocking);
  EXPORT("writeSome", WriteSome);
  EXPORT("readSome", ReadSome);
  EXPORT("reopenNonBlocking", ReopenNonBlocking);
  EXPORT("writeNoWait", WriteNoWait);
  EXPORT("prefixLines", PrefixLines);
  register_pump(env, exports);
  register_dgram(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
