// Reaping and signals: waitpid for every child, real-time signals forwarded from a C handler
// (JS cannot catch them), the relay that hands every other caught signal to JS, kill and
// the subreaper flag.
#include "corral.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

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
  terminal_holder_stopped();
  for (;;) {
    int st;
    pid_t pid = RETRY_EINTR(waitpid(-1, &st, WNOHANG));
    if (pid == 0) break;
    if (pid < 0) {
      remaining = 0;
      break;
    }
    terminal_holder_reaped(pid);
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

// ---------------------------------------------------------------- signal relay
// Every signal corral catches (but the real-time ones, forwarded above) lands in one C handler
// that sees its siginfo, writes its number to a pipe, and a thread hands each number to JS
// through a threadsafe function. The same path on Node and on Deno; JS never installs a
// handler of its own. Two kinds are not relayed, because the kernel raised them for corral
// itself: a real fault (SIGILL/BUS/FPE/SEGV with si_code > 0) ends corral as it would have,
// and SIGPIPE from corral's own write is dropped. Sent by another process, both are relayed
// and forwarded like any other signal (as dumb-init does).

static int relay_pipe[2] = {-1, -1};
static pid_t relay_self;
static napi_threadsafe_function relay_fn;
static int relay_err;  // a relay whose thread could not start stays failed: later calls say why

static int is_fault(int sig) { return sig == SIGILL || sig == SIGBUS || sig == SIGFPE || sig == SIGSEGV; }

static void on_relayed(int sig, siginfo_t *si, void *ctx) {
  (void)ctx;
  int saved = errno;
  int sent = si->si_code <= 0;  // SI_USER, SI_QUEUE, SI_TKILL: sent by a process
  if (is_fault(sig) && !sent) {
    signal(sig, SIG_DFL);  // a real fault: the instruction runs again and ends corral
  } else if (sig == SIGPIPE && (!sent || si->si_pid == relay_self)) {
    // corral's own write to a closed pipe: the write reports EPIPE, nothing to forward
  } else {
    unsigned char byte = (unsigned char)sig;
    if (write(relay_pipe[1], &byte, 1) < 0) { /* pipe full: the signal merges, as signals do */ }
  }
  errno = saved;
}

static void relay_call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)context;
  if (!env) return;  // shutting down
  napi_value undefined, signo;
  napi_get_undefined(env, &undefined);
  napi_create_int32(env, (int32_t)(intptr_t)data, &signo);
  napi_call_function(env, undefined, js_cb, 1, &signo, NULL);
}

static void *relay_thread(void *arg) {
  (void)arg;
  unsigned char buf[64];
  for (;;) {
    ssize_t n = read(relay_pipe[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return NULL;
    for (ssize_t i = 0; i < n; i++) {
      if (napi_call_threadsafe_function(relay_fn, (void *)(intptr_t)buf[i], napi_tsfn_blocking) == napi_closing) return NULL;
    }
  }
}

// Starts `fn` on a detached thread that blocks every signal (none is delivered to it, so the
// relay's own work is never interrupted); 0 or -errno.
static int start_quiet_thread(void *(*fn)(void *)) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t thread;
  int err = pthread_create(&thread, NULL, fn, NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (err) return -err;
  pthread_detach(thread);
  return 0;
}

// Installs the relay's handler for `sig`; 0 or -errno.
static int install_relay(int sig) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_relayed;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  return sigaction(sig, &sa, NULL) < 0 ? -errno : 0;
}

// Pipe, thread and threadsafe function, once.
static int relay_start(napi_env env, napi_value callback) {
  if (relay_fn) return relay_err;
  if (pipe2(relay_pipe, O_CLOEXEC) < 0) return -errno;
  fcntl(relay_pipe[1], F_SETFL, O_NONBLOCK);  // the handler never blocks; the reader does
  relay_self = getpid();
  napi_value name;
  napi_create_string_utf8(env, "corral-signals", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, callback, NULL, name, 0, 1, NULL, NULL, NULL, relay_call_js,
                                      &relay_fn) != napi_ok) {
    return -EINVAL;
  }
  napi_unref_threadsafe_function(env, relay_fn);  // signals alone do not keep corral alive
  relay_err = start_quiet_thread(relay_thread);
  return relay_err;
}

// relaySignals(signals[], callback) -> 0 or -errno: (re)installs the relay handler for each
// signal; callback(signo) runs on the JS thread. The callback of the first call is kept.
static napi_value RelaySignals(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int r = relay_start(env, args[1]);
  if (r < 0) return make_int(env, r);
  int64_t sigs[NSIG];
  int n = get_int_array(env, args[0], sigs, NSIG);
  for (int i = 0; i < n; i++) {
    if (sigs[i] <= 0 || sigs[i] >= NSIG) return make_int(env, -EINVAL);
    int err = install_relay((int)sigs[i]);
    if (err) return make_int(env, err);
  }
  return make_int(env, 0);
}

// defaultDisposition(signals[]) -> those of `signals` whose disposition is SIG_DFL now.
// Node's start catches INT and TERM with a handler that resets itself (SA_RESETHAND): the
// boot reads which of them has fired before corral's relay replaces them.
static napi_value DefaultDisposition(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1] = {NULL}, out;
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  CHECK(napi_create_array(env, &out));
  int64_t sigs[NSIG];
  int n = get_int_array(env, args[0], sigs, NSIG);
  uint32_t found = 0;
  for (int i = 0; i < n; i++) {
    int sig = (int)sigs[i];
    struct sigaction now;
    if (sig > 0 && sig < NSIG && sigaction(sig, NULL, &now) == 0 && !(now.sa_flags & SA_SIGINFO) && now.sa_handler == SIG_DFL) {
      napi_set_element(env, out, found++, make_int(env, sig));
    }
  }
  return out;
}

// ---------------------------------------------------------------- kill, subreaper

// kill(pid, sig) -> 0 or -errno
static napi_value Kill(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int r = kill(get_int(env, args[0], 0), get_int(env, args[1], 0));
  return make_int(env, r < 0 ? -errno : 0);
}

// setSubreaper() -> 0 or -errno
static napi_value SetSubreaper(napi_env env, napi_callback_info info) {
  (void)info;
  int r = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  return make_int(env, r < 0 ? -errno : 0);
}

void register_signals(napi_env env, napi_value exports) {
  export_fn(env, exports, "reap", Reap);
  export_fn(env, exports, "forwardRealtime", ForwardRealtime);
  export_fn(env, exports, "relaySignals", RelaySignals);
  export_fn(env, exports, "defaultDisposition", DefaultDisposition);
  export_fn(env, exports, "kill", Kill);
  export_fn(env, exports, "setSubreaper", SetSubreaper);
}
