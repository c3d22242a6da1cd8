// The pump's JS functions: start it, route a program's pipe to an output, name a route's pid,
// reopen the log files, and the flush at exit (the tails' functions are in pump-tails.c).
#include "pump.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>

// pumpStart(onEvent, outputBuffer?) -> 0 or -errno. onEvent(type, id, a, bytes?) is called on
// the JS thread: 1 dropped (route, lines), 2 broken (target fd, errno, label), 3 file error
// (output, errno, path), 4 ended (route, lines still to report), 5 output (route, stream, bytes:
// a view of outputBuffer, valid during the call only, when it is READ_BYTES long), 6 readable
// (datagram socket id). The function does not keep the event loop alive.
RARE static napi_value PumpStart(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  pthread_mutex_lock(&lock);
  int r = events_start(env, args[0], argc > 1 ? args[1] : NULL);
  if (r == 0) r = pump_ensure_started();
  pthread_mutex_unlock(&lock);
  return make_int(env, r);
}

static void set_pid(struct route *r, int pid) {
  r->pid = pid;
  r->pid_len = (size_t)snprintf(r->pid_text, sizeof r->pid_text, "%d", pid);
}

static char *copy_bytes(napi_env env, napi_value v, size_t *len) {
  void *data = NULL;
  *len = 0;
  if (!get_bytes(env, v, &data, len)) return calloc(1, SHORT_PREFIX_BYTES + 1);
  // Padded with zeros to SHORT_PREFIX_BYTES: lines_fast copies a short prefix as one block.
  char *out = calloc(1, (*len > SHORT_PREFIX_BYTES ? *len : SHORT_PREFIX_BYTES) + 1);
  memcpy(out, data, *len);
  return out;
}

// pumpRoute(readFd, { fd?: 1|2, path?, maxBytes?, backups?, format: 0 raw|1 prefix|2 json,
//   prefix?: Uint8Array, continued?: Uint8Array, name, stream: 1|2, pid?, events? }) -> route id
// or -errno. The pump owns readFd from then on (made non-blocking, closed at its end).
RARE static napi_value PumpRoute(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int fd = (int)get_int(env, args[0], -1);
  napi_value o = args[1];
  char *path = get_string(env, prop(env, o, "path"));
  int target = (int)get_int(env, prop(env, o, "fd"), 1);
  pthread_mutex_lock(&lock);
  int err = started ? 0 : EINVAL;
  struct output *out = NULL;
  if (!err) {
    out = path ? file_output(path, get_int(env, prop(env, o, "maxBytes"), 0), (int)get_int(env, prop(env, o, "backups"), 0), &err)
               : fd_output(target);
  }
  free(path);
  if (!out) {
    pthread_mutex_unlock(&lock);
    return make_int(env, -(err ? err : EINVAL));
  }
  struct route *r = calloc(1, sizeof *r);
  r->id = next_id++;
  r->fd = fd;
  r->out = out;
  r->format = (int)get_int(env, prop(env, o, "format"), FORMAT_RAW);
  r->stream = (int)get_int(env, prop(env, o, "stream"), 1);
  set_pid(r, (int)get_int(env, prop(env, o, "pid"), 0));
  // JSON lines name the pid: a program that writes before spawn returns must not get "pid":0.
  r->awaiting_pid = r->format == FORMAT_JSON && r->pid == 0;
  r->events = get_bool_prop(env, o, "events", false);
  r->tail = find_tail((int)get_int(env, prop(env, o, "tail"), 0));
  r->at_line_start = true;
  r->prefix = copy_bytes(env, prop(env, o, "prefix"), &r->prefix_len);
  r->continued_prefix = copy_bytes(env, prop(env, o, "continued"), &r->continued_len);
  r->name = get_string(env, prop(env, o, "name"));
  if (!r->name) r->name = strdup("?");
  set_json_head(r);
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  // A bigger pipe: fewer, larger reads and fewer wake-ups of the program (best effort: the
  // limit is /proc/sys/fs/pipe-max-size, 1 MiB by default).
  fcntl(fd, F_SETPIPE_SZ, READ_BYTES);
  r->paused = true;
  r->next = routes;
  routes = r;
  watch_route(r, !out->holding);
  pthread_mutex_unlock(&lock);
  wake();
  return make_int(env, r->id);
}

// pumpSetPid(route, pid): the pid JSON lines name (known only once the program is spawned);
// a JSON route is read from then on (pid 0: the spawn failed, read what there is).
RARE static napi_value PumpSetPid(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  pthread_mutex_lock(&lock);
  struct route *r = find_route((int)get_int(env, args[0], -1));
  if (r) {
    set_pid(r, (int)get_int(env, args[1], 0));
    r->awaiting_pid = false;
    if (r->fd >= 0) watch_route(r, !r->out->holding && r->in_len == 0);
  }
  pthread_mutex_unlock(&lock);
  if (r) wake();
  return make_int(env, r ? 0 : -ENOENT);
}

// pumpReopen() -> how many files could not be reopened: every log file is written out,
// closed and opened again by name (SIGUSR2, after logrotate moved them).
RARE static napi_value PumpReopen(napi_env env, napi_callback_info info) {
  (void)info;
  pthread_mutex_lock(&lock);
  int failed = reopen_files();
  pthread_mutex_unlock(&lock);
  return make_int(env, failed);
}

// pumpFlush(ms): at exit. Reads what the pipes still hold (without waiting for writers that
// live on), ends partial lines, and writes it all out, waiting up to `ms` for readers that
// still read. The pump stops for good.
RARE static napi_value PumpFlush(napi_env env, napi_callback_info info) {
  int64_t deadline = now_ns(CLOCK_MONOTONIC) + int_arg(env, info, 1000) * 1000000LL;
  pthread_mutex_lock(&lock);
  if (!started || stopped) {
    pthread_mutex_unlock(&lock);
    return make_int(env, 0);
  }
  stopped = true;
  // Read, format and write in turns, as the pump thread would, until the pipes are empty and
  // everything is written, or the deadline.
  for (;;) {
    bool busy = false;
    for (struct route *r = routes; r; r = r->next) {
      if (r->fd < 0) continue;
      if (!resume_route(r)) {
        busy = true;
        continue;
      }
      if (route_read(r) == READ_DATA) busy = true;
    }
    struct pollfd fds[16];
    nfds_t nfds = 0;
    for (struct output *o = outputs; o; o = o->next) {
      output_flush(o);
      if (o->start < o->end && !o->broken && nfds < 16) fds[nfds++] = (struct pollfd){.fd = o->wfd, .events = POLLOUT};
    }
    if ((!busy && nfds == 0) || now_ns(CLOCK_MONOTONIC) >= deadline) break;
    if (nfds > 0) poll(fds, nfds, 1);
  }
  // Partial lines end with a newline added (held raw ones are written as they are).
  for (struct route *r = routes; r; r = r->next) {
    if (r->fd >= 0) write_held(r, false);
    if (r->fd < 0 || r->partial_len == 0) continue;
    emit_line(r, (unsigned char *)r->partial, r->partial_len, r->continued, now_ns(CLOCK_REALTIME));
    r->partial_len = 0;
  }
  for (;;) {
    struct pollfd fds[16];
    nfds_t nfds = 0;
    for (struct output *o = outputs; o; o = o->next) {
      output_flush(o);
      if (o->start < o->end && !o->broken && nfds < 16) fds[nfds++] = (struct pollfd){.fd = o->wfd, .events = POLLOUT};
    }
    if (nfds == 0 || now_ns(CLOCK_MONOTONIC) >= deadline) break;
    poll(fds, nfds, 1);
  }
  pthread_mutex_unlock(&lock);
  wake();
  return make_int(env, 0);
}

void register_pump(napi_env env, napi_value exports) {
  export_fn(env, exports, "pumpStart", PumpStart);
  export_fn(env, exports, "pumpRoute", PumpRoute);
  export_fn(env, exports, "pumpSetPid", PumpSetPid);
  export_fn(env, exports, "pumpReopen", PumpReopen);
  export_fn(env, exports, "pumpFlush", PumpFlush);
  register_tails(env, exports);
}
