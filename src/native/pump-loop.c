// The pump thread: epoll over the programs' pipes (routes), the outputs it cannot write at
// once and dgram.c's sockets; each readable pipe is read once per turn and its chunk fed to
// the route's tail, its events and its format. Input that must wait for its output keeps the
// pipe unread (the program is held back) and is resumed every turn; a tick looks at stalls.
#include "pump.h"

#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

/** While output waits, the pump looks at stalls (and at outputs epoll cannot watch) this often. */
#define TICK_MS 50
/** Raw-output events in flight to JS at most; past it such chunks are not reported. */
#define EVENT_BYTES_LIMIT (4 * 1024 * 1024)
#define MAX_EVENTS 64

pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
bool started = false, stopped = false;
int epfd = -1;
static int wakefd = -1;
struct route *routes = NULL;
int next_id = 1;

// A chunk just read: reported to JS if asked, formatted, and what must wait kept.
static void feed(struct route *r, const unsigned char *data, size_t len) {
  if (r->tail) tail_write(r->tail, (const char *)data, len);
  if (r->events && __atomic_load_n(&event_bytes, __ATOMIC_RELAXED) + (int64_t)len <= EVENT_BYTES_LIMIT) {
    __atomic_add_fetch(&event_bytes, (int64_t)len, __ATOMIC_RELAXED);
    post(EV_OUTPUT, r->id, r->stream, (const char *)data, len);
  }
  size_t used = format(r, data, len);
  if (used == len) return;
  r->in_len = len - used;
  r->in_start = 0;
  r->in = malloc(r->in_len);
  memcpy(r->in, data + used, r->in_len);
}

// Formats what a route kept, as far as its output lets; true once nothing is left.
bool resume_route(struct route *r) {
  if (r->in_len == 0) return true;
  size_t used = format(r, r->in + r->in_start, r->in_len);
  output_flush(r->out);
  r->in_start += used;
  r->in_len -= used;
  if (r->in_len > 0) return false;
  free(r->in);
  r->in = NULL;
  r->in_start = 0;
  return true;
}

void watch_route(struct route *r, bool on) {
  if (r->awaiting_pid) on = false;
  if (r->paused == !on) return;
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = key(WATCH_ROUTE, r->id)};
  epoll_ctl(epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, r->fd, &ev);
  r->paused = !on;
}

RARE void end_route(struct route *r) {
  write_held(r, false);
  r->streaming = false;
  if (r->partial_len > 0 || r->continued) {
    if (r->partial_len > 0) emit_line(r, (unsigned char *)r->partial, r->partial_len, r->continued, now_ns(CLOCK_REALTIME));
    r->partial_len = 0;
    r->continued = false;
  }
  struct output *o = r->out;
  if (o->notice_due && o->mid_line && !r->at_line_start && !o->is_file && !o->broken) {
    // The line this program left open would hold the drop notices back for good: close it.
    make_room(o, 1);
    o->buf[o->end++] = '\n';
    line_ended(o);
  }
  output_flush(o);
  watch_route(r, false);
  close(r->fd);
  r->fd = -1;
  // Freed by sweep_routes, once a drop count it still holds has gone into a notice.
  post(EV_ENDED, r->id, r->dropped, NULL, 0);
}

// Reads once from a readable pipe.
enum read_result route_read(struct route *r) {
  static unsigned char chunk[READ_BYTES];
  ssize_t n = RETRY_EINTR(read(r->fd, chunk, sizeof chunk));
  if (n < 0 && errno == EAGAIN) return READ_EMPTY;
  if (n <= 0) return READ_END;
  feed(r, chunk, (size_t)n);
  output_flush(r->out);
  if (r->in_len > 0) watch_route(r, false);  // the pipe waits until what was read is written
  return READ_DATA;
}

// Frees the routes that have ended and have no drop count left to report.
static void sweep_routes(void) {
  for (struct route **p = &routes; *p;) {
    struct route *r = *p;
    if (r->fd >= 0 || (r->dropped > 0 && !r->out->broken)) {
      p = &r->next;
      continue;
    }
    *p = r->next;
    free(r->in);
    free(r->held);
    free(r->prefix);
    free(r->continued_prefix);
    free(r->json_head);
    free(r->name);
    free(r);
  }
}

struct route *find_route(int id) {
  for (struct route *r = routes; r; r = r->next) if (r->id == id) return r;
  return NULL;
}

static void *pump_main(void *arg) {
  (void)arg;
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);  // signals are the JS thread's
  struct epoll_event evs[MAX_EVENTS];
  int timeout = -1;
  for (;;) {
    int n = epoll_wait(epfd, evs, MAX_EVENTS, timeout);
    pthread_mutex_lock(&lock);
    if (stopped) {
      pthread_mutex_unlock(&lock);
      return NULL;
    }
    for (int i = 0; i < n; i++) {
      int kind = (int)(evs[i].data.u64 >> 32), id = (int)(uint32_t)evs[i].data.u64;
      if (kind == WATCH_WAKE) {
        uint64_t v;
        if (read(wakefd, &v, sizeof v) < 0) { /* nothing */ }
      } else if (kind == WATCH_ROUTE) {
        struct route *r = find_route(id);
        if (r && r->fd >= 0 && !r->paused && route_read(r) == READ_END) end_route(r);
      } else if (kind == WATCH_OUTPUT) {
        struct output *o = find_output(id);
        if (o) output_flush(o);
      } else if (kind == WATCH_DGRAM) {
        post(EV_READABLE, id, 0, NULL, 0);
      }
    }
    timeout = -1;
    for (struct route *r = routes; r; r = r->next) {
      if (r->in_len == 0 || r->fd < 0) continue;
      if (resume_route(r)) {
        if (!r->out->holding) watch_route(r, true);
      } else {
        timeout = TICK_MS;  // kept input waits for its output (which may fail meanwhile)
      }
    }
    int64_t now = now_ns(CLOCK_MONOTONIC);
    for (struct output *o = outputs; o; o = o->next) {
      if (o->start < o->end && !o->polled) output_flush(o);  // epoll cannot watch it
      check_pressure(o, now);
      if (o->start < o->end) timeout = TICK_MS;
    }
    sweep_routes();
    take_and_flush_events();
    pthread_mutex_unlock(&lock);
  }
}

void wake(void) {
  uint64_t one = 1;
  if (write(wakefd, &one, sizeof one) < 0) { /* already awake */ }
}

int pump_ensure_started(void) {
  if (started) return 0;
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return -errno;
  wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wakefd < 0) return -errno;
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = key(WATCH_WAKE, 0)};
  epoll_ctl(epfd, EPOLL_CTL_ADD, wakefd, &ev);
  pthread_t thread;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  int err = pthread_create(&thread, &attr, pump_main, NULL);
  pthread_attr_destroy(&attr);
  if (err) return -err;
  started = true;
  return 0;
}

// Used by dgram.c: the pump thread reports readable datagram sockets.
int pump_watch_readable(int id, int fd, bool add) {
  struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = key(WATCH_DGRAM, id)};
  return epoll_ctl(epfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void pump_unwatch(int fd) { epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL); }

