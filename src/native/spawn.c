// spawn: clone+exec into a new process group (optionally the TTY foreground), with
// cwd/umask/uid/gid/supplementary groups/stdio and the descriptors corral was given to pass
// on (socket activation); exec errors are reported synchronously.
// Three steps: read the options (JS values -> C), resolve the PATH candidates (the child may
// not malloc, so the parent does it), clone and exec.
#include "corral.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>

#define MAX_PATH_CANDIDATES 64
/** Supplementary groups a child may get (Linux's NGROUPS_MAX is 65536; more is never needed here). */
#define MAX_GROUPS 256
/** The kernel's sigset_t: one bit per signal, 64 signals (glibc's is larger). */
#define KERNEL_SIGSET_BYTES (_NSIG / 8)
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct spawn_options {
  char *file, *cwd, *start_dir;
  char **argv, **envp;
  // argv for /bin/sh when the file has no #! line (execvp's fallback): [sh, path, argv[1]...]
  char **sh_argv;
  bool new_group, foreground;
  int umask_v, uid, gid;
  int ngroups;  // -1: none given (setgroups(0) when gid is set)
  gid_t groups[MAX_GROUPS];
  int stdio[3];
  // Descriptors 3 .. 2+pass_fds stay open at their numbers (socket activation, --preserve-fds).
  int pass_fds;
  // Where the child writes its own pid: the digits of the envp entry "LISTEN_PID=" (or NULL).
  char *listen_pid_digits;
};

/** "LISTEN_PID=" and room for any pid's digits and the NUL. */
#define LISTEN_PID_PREFIX "LISTEN_PID="
#define LISTEN_PID_BYTES (sizeof LISTEN_PID_PREFIX + 20)

// Copies a JS array of strings into a NULL-terminated malloc'd vector.
static char **get_string_array(napi_env env, napi_value v) {
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
  return out;
}

static void free_string_array(char **a) {
  if (!a) return;
  for (char **p = a; *p; p++) free(*p);
  free(a);
}

// Makes room in `*envp` for LISTEN_PID (replacing corral's own entry, or added at the end):
// the child writes its pid there (sd_listen_fds(3) checks it), which only it knows before its
// exec. Returns where the digits go, or NULL when memory ran out.
static char *listen_pid_entry(char ***envp) {
  size_t n = 0, at = 0;
  while ((*envp)[n]) n++;
  while (at < n && strncmp((*envp)[at], LISTEN_PID_PREFIX, sizeof LISTEN_PID_PREFIX - 1) != 0) at++;
  char *entry = calloc(1, LISTEN_PID_BYTES);
  if (!entry) return NULL;
  if (at == n) {
    char **grown = realloc(*envp, (n + 2) * sizeof(char *));
    if (!grown) {
      free(entry);
      return NULL;
    }
    *envp = grown;
    grown[n + 1] = NULL;
  } else {
    free((*envp)[at]);
  }
  memcpy(entry, LISTEN_PID_PREFIX, sizeof LISTEN_PID_PREFIX - 1);
  (*envp)[at] = entry;
  return entry + sizeof LISTEN_PID_PREFIX - 1;
}

// Writes `pid` in decimal at `out` (a vfork child: no stdio).
static void write_pid(char *out, pid_t pid) {
  char digits[20];
  int n = 0;
  do digits[n++] = (char)('0' + pid % 10); while ((pid /= 10) > 0);
  while (n > 0) *out++ = digits[--n];
  *out = 0;
}

static void read_spawn_options(napi_env env, napi_value args[4], struct spawn_options *o) {
  memset(o, 0, sizeof *o);
  o->file = get_string(env, args[0]);
  o->argv = get_string_array(env, args[1]);
  o->envp = get_string_array(env, args[2]);
  napi_value opts = args[3];
  o->cwd = get_string(env, prop(env, opts, "cwd"));
  o->start_dir = get_string(env, prop(env, opts, "startDir"));
  o->new_group = get_bool_prop(env, opts, "newGroup", false);
  // The terminal only goes to a job when corral holds it: a backgrounded `corral -- cmd &`
  // would otherwise take it from the shell.
  o->foreground = get_bool_prop(env, opts, "foreground", false) && tcgetpgrp(STDIN_FILENO) == getpgrp();
  o->umask_v = (int)get_int(env, prop(env, opts, "umask"), -1);
  o->uid = (int)get_int(env, prop(env, opts, "uid"), -1);
  o->gid = (int)get_int(env, prop(env, opts, "gid"), -1);
  int64_t numbers[MAX_GROUPS];
  o->ngroups = get_int_array(env, prop(env, opts, "groups"), numbers, MAX_GROUPS);
  for (int i = 0; i < o->ngroups; i++) o->groups[i] = (gid_t)numbers[i];
  int64_t stdio[3];
  int n = get_int_array(env, prop(env, opts, "stdio"), stdio, 3);
  for (int i = 0; i < 3; i++) o->stdio[i] = i < n ? (int)stdio[i] : i;
  o->pass_fds = (int)get_int(env, prop(env, opts, "passFds"), 0);
  if (o->pass_fds < 0) o->pass_fds = 0;
  if (get_bool_prop(env, opts, "listenPid", false)) o->listen_pid_digits = listen_pid_entry(&o->envp);
}

static void free_spawn_options(struct spawn_options *o) {
  free(o->file);
  free(o->cwd);
  free(o->start_dir);
  free_string_array(o->argv);
  free_string_array(o->envp);
  free(o->sh_argv);
}

// The argv execvp would give /bin/sh for a file with no #! line: [/bin/sh, FILE, argv[1]...]
// (FILE is filled in by the child with the path that failed). Built before the child runs.
static char **shell_argv(char **argv) {
  size_t n = 0;
  while (argv[n]) n++;
  char **out = calloc(n + 2, sizeof(char *));
  if (!out) return NULL;
  out[0] = "/bin/sh";
  for (size_t i = 1; i < n; i++) out[i + 1] = argv[i];
  return out;
}

// The paths execve tries, in order: `file` itself when it has a slash, else each PATH entry
// of the child's environment (corral's default PATH without one). Returns how many.
static int resolve_candidates(const char *file, char **envp, char **candidates) {
  int n = 0;
  if (!file || !*file) {
    candidates[n++] = strdup("");
    return n;
  }
  if (strchr(file, '/')) {
    candidates[n++] = strdup(file);
    return n;
  }
  const char *path = NULL;
  for (char **e = envp; *e; e++) {
    if (strncmp(*e, "PATH=", 5) == 0) {
      path = *e + 5;
      break;
    }
  }
  if (!path) path = DEFAULT_PATH;
  size_t flen = strlen(file);
  for (const char *p = path; n < MAX_PATH_CANDIDATES;) {
    const char *end = strchr(p, ':');
    size_t dlen = end ? (size_t)(end - p) : strlen(p);
    char *c = malloc(dlen + flen + 2);
    if (dlen == 0) {
      memcpy(c, file, flen + 1);  // an empty entry is the current directory
    } else {
      memcpy(c, p, dlen);
      c[dlen] = '/';
      memcpy(c + dlen + 1, file, flen + 1);
    }
    candidates[n++] = c;
    if (!end) break;
    p = end + 1;
  }
  return n;
}

// The job the terminal was given to (spawn's `foreground`), until it is reaped.
static pid_t terminal_holder;

// Gives the terminal to group `to` if group `from` holds it. A blocked SIGTTOU lets a
// background group take the terminal (no signal is raised).
static void move_terminal(pid_t from, pid_t to) {
  sigset_t ttou, old;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  pthread_sigmask(SIG_BLOCK, &ttou, &old);
  if (tcgetpgrp(STDIN_FILENO) == from) tcsetpgrp(STDIN_FILENO, to);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void terminal_holder_reaped(pid_t pid) {
  if (pid != terminal_holder || pid == 0) return;
  terminal_holder = 0;
  move_terminal(pid, getpgrp());  // back to corral's group, where the shell or the next job looks
}

void terminal_holder_stopped(void) {
  if (terminal_holder == 0 || getpid() == 1) return;
  // Stops only (no WEXITED): an exit stays for the reaper.
  siginfo_t si;
  memset(&si, 0, sizeof si);
  if (waitid(P_PID, (id_t)terminal_holder, &si, WSTOPPED | WNOHANG) != 0 || si.si_pid != terminal_holder) return;
  kill(getpid(), SIGSTOP);  // returns once the shell has continued corral (fg, bg)
  move_terminal(getpgrp(), terminal_holder);  // fg gave corral's group the terminal; bg did not
  kill(-terminal_holder, SIGCONT);
}

// Writes all of `text` to fd 2, as far as it goes (a vfork child: no stdio, no malloc).
static void say(const char *text) {
  for (size_t n = strlen(text); n > 0;) {
    ssize_t w = write(2, text, n);
    if (w <= 0) return;
    text += w;
    n -= (size_t)w;
  }
}

// supervisord's line for a directory= it cannot enter, on the program's own stderr (its log):
// the program then exits 127 and counts as a start that failed, not as a command not found.
static void chdir_failed(const char *dir, int err) {
  const char *name = strerrorname_np(err);
  say("corral: couldn't chdir to ");
  say(dir);
  say(": ");
  say(name ? name : "error");
  say("\n");
}

// Child side of spawn. It runs in the parent's memory (see clone_exec): only calls that touch
// nothing of the parent but the child's own stack, from here to exec. Returns the errno of the
// step that failed; on success it never returns.
static int child_exec(char **candidates, int ncand, const struct spawn_options *o) {
  if (o->new_group) {
    if (setpgid(0, 0) < 0) return errno;
    // Signals are blocked (see clone_exec), so this background group may take the terminal.
    if (o->foreground && tcsetpgrp(STDIN_FILENO, getpid()) < 0) { /* not a tty after all */ }
  }
  // A source among 0-2 that is not its own target is first copied above 2: in a swap
  // (stdout to corral's 2, stderr to its 1) the loop below would otherwise copy an fd it had
  // already replaced. The copies are CLOEXEC (and close_range closes them anyway).
  int source[3];
  for (int fd = 0; fd < 3; fd++) {
    source[fd] = o->stdio[fd];
    if (source[fd] >= 0 && source[fd] < 3 && source[fd] != fd && (source[fd] = fcntl(source[fd], F_DUPFD_CLOEXEC, 3)) < 0) return errno;
  }
  for (int fd = 0; fd < 3; fd++) {
    if (source[fd] >= 0 && source[fd] != fd) {
      if (dup2(source[fd], fd) < 0) return errno;
    } else if (source[fd] == fd) {
      int flags = fcntl(fd, F_GETFD);
      if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
  }
  // Before the user switch: the directory corral started in stands for the working directory a
  // child inherits under supervisord, which no permission check stands between (a 0700 one too).
  if (o->start_dir && chdir(o->start_dir) < 0) {
    chdir_failed(o->start_dir, errno);
    return 0;
  }
  if (o->umask_v >= 0) umask((mode_t)o->umask_v);
  // Raw system calls: glibc's setuid() and friends would ask every thread of its list (the
  // parent's, whose memory this child shares) to change its credentials too.
  if (o->ngroups >= 0) {
    // Asked for: the list must be set, or the child would run with corral's groups.
    if (syscall(SYS_setgroups, (size_t)o->ngroups, o->groups) < 0) return errno;
  } else if (o->gid >= 0) {
    if (syscall(SYS_setgroups, (size_t)0, NULL) < 0 && o->uid >= 0) { /* best effort; setgid below decides */ }
  }
  if (o->gid >= 0 && syscall(SYS_setgid, (gid_t)o->gid) < 0) return errno;
  if (o->uid >= 0 && syscall(SYS_setuid, (uid_t)o->uid) < 0) return errno;
  // After the user switch, as supervisord: the directory must be the program's to enter.
  if (o->cwd && chdir(o->cwd) < 0) {
    chdir_failed(o->cwd, errno);
    return 0;  // seen as started: its exit 127 is a start that failed, as under supervisord
  }

  // Children start with default dispositions and an empty mask, whatever corral set. The
  // handler table is the child's own (no CLONE_SIGHAND).
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++) sigaction(s, &dfl, NULL);
  sigset_t none;
  sigemptyset(&none);
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, KERNEL_SIGSET_BYTES);

  // The descriptors passed on (3 .. 2+pass_fds) stay open: Node marked them close-on-exec at
  // its start (libuv's uv_disable_stdio_inheritance). Every other one above stdio is closed
  // (the table is the child's own copy): what else corral was given cannot be told from its
  // runtime's own.
  for (int fd = 3; fd < 3 + o->pass_fds; fd++) {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
  if (o->listen_pid_digits) write_pid(o->listen_pid_digits, (pid_t)syscall(SYS_getpid));
#ifdef SYS_close_range
  syscall(SYS_close_range, 3 + (unsigned)o->pass_fds, ~0U, 0);
#endif

  int err = ENOENT;
  for (int i = 0; i < ncand; i++) {
    execve(candidates[i], o->argv, o->envp);
    if (errno == ENOEXEC && o->sh_argv) {
      // No #! line: a shell script, as execvp (and so tini and dumb-init) runs it.
      o->sh_argv[1] = candidates[i];
      execve("/bin/sh", o->sh_argv, o->envp);
      errno = ENOEXEC;
    }
    // EACCES on one PATH entry is remembered, but a later entry may still succeed.
    if (errno != ENOENT && errno != ENOTDIR) err = errno;
  }
  return err;
}

/** What the parent hands the child, and the child's errno back when exec failed. */
struct child_args {
  char **candidates;
  int ncand;
  const struct spawn_options *o;
  int err;
};

static int child_main(void *p) {
  struct child_args *a = p;
  a->err = child_exec(a->candidates, a->ncand, a->o);
  _exit(127);
}

/** The child's own stack: child_exec needs little; execve needs none of it. */
#define CHILD_STACK_BYTES (64 * 1024)

// Starts the child with clone(CLONE_VM | CLONE_VFORK), as glibc's posix_spawn does: the child
// shares corral's memory and corral's thread waits until it has exec'd or failed, so no page
// table of a 40 MB Node process is copied (fork took ~1 ms, and every page written afterwards
// faulted). The child writes its errno into `args` when exec fails. Returns the pid or -errno.
static int clone_exec(char **candidates, int ncand, const struct spawn_options *o) {
  void *stack = mmap(NULL, CHILD_STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return -errno;
  struct child_args args = {candidates, ncand, o, 0};
  // The child starts with every signal blocked: none runs corral's handlers (and writes their
  // pipe) before child_exec resets them, and tcsetpgrp from the new background group is
  // allowed (a blocked SIGTTOU counts as ignored).
  // A raw rt_sigprocmask, as posix_spawn does: glibc's sigfillset and pthread_sigmask leave its
  // own SIGCANCEL and SIGSETXID unblocked, whose handlers would run in the shared memory.
  sigset_t all, old;
  memset(&all, 0xff, sizeof all);
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, KERNEL_SIGSET_BYTES);
  pid_t pid = clone(child_main, (char *)stack + CHILD_STACK_BYTES, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  int clone_err = errno;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, KERNEL_SIGSET_BYTES);
  munmap(stack, CHILD_STACK_BYTES);
  if (pid < 0) return -clone_err;
  if (args.err == 0) return pid;  // exec'd (or killed before it: the reaper sees that)
  // exec failed: collect the child here so the reaper never sees it.
  int st;
  RETRY_EINTR(waitpid(pid, &st, 0));
  return -args.err;
}

// spawn(file, argv, env, opts) -> pid (> 0) or -errno.
// opts: { cwd? (entered after the user switch), startDir? (before it), newGroup?, foreground?, umask?, uid?, gid?, groups?: number[], stdio?: [in, out, err],
//         passFds?: N (fds 3 .. 2+N stay open), listenPid?: true (LISTEN_PID=<the child's pid> in its env) }
static napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4] = {NULL, NULL, NULL, NULL};
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  struct spawn_options *o = malloc(sizeof *o);  // MAX_GROUPS gids: not on the stack
  read_spawn_options(env, args, o);
  char *candidates[MAX_PATH_CANDIDATES];
  int ncand = resolve_candidates(o->file, o->envp, candidates);
  o->sh_argv = shell_argv(o->argv);
  int result = clone_exec(candidates, ncand, o);
  if (result > 0 && o->foreground) terminal_holder = result;
  for (int i = 0; i < ncand; i++) free(candidates[i]);
  free_spawn_options(o);
  free(o);
  return make_int(env, result);
}

void register_spawn(napi_env env, napi_value exports) {
  export_fn(env, exports, "spawn", Spawn);
}
