// The log pump: one thread of its own, epoll over the programs' pipes, their lines written
// to corral's stdout/stderr (with a prefix, as JSON lines, or unchanged when a route is read
// only to report its output as events) or to rotating files, with no
// JavaScript per chunk. JavaScript sets routes up and gets events back through one napi
// threadsafe function: dropped-line counts, a broken output, a file error, a route's end,
// raw output chunks for routes that ask for them, and readable datagram sockets (dgram.c).
//
// Back-pressure, per output descriptor (as corral's JS writer did before): up to 1 MiB is
// kept for a reader that is behind; while that reader still reads, programs writing to it
// are held back (their pipes not read) once over half of it is used; a reader that took
// nothing for 1 s is stalled, and then whole lines are dropped and counted until half of
// the queue is free, when one notice per program says how many were lost. EPIPE or any other
// write error ends that output (its lines are discarded from then on).
//
// In-memory tails: a route may also keep the last bytes of its program's output (as written,
// before any format) in a tail (a ring of at most `cap` bytes, grown as output comes), which
// the control API reads as if it were a log file that is never rotated: its size is every
// byte written since the last clear, and only the last `cap` bytes of it can be read.
//
// Rotation follows supervisord's RotatingFileHandler: FILE.1 .. FILE.N, newest .1, 0
// backups = the file is truncated instead; but corral rotates at a line boundary, before the
// line that would take the file past maxBytes (supervisord rotates after the write that
// reached it, so its files pass the limit and can split a line across two files).
#include "corral.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

/** Lines longer than this are cut into pieces (as src/logs did: the later ones marked). */
#define MAX_LINE_BYTES (16 * 1024)
/** Bytes kept per output descriptor for a reader that is behind. */
#define QUEUE_LIMIT_BYTES (1024 * 1024)
/** Room past the limit: one formatted line (JSON escapes up to 6 bytes per byte) plus notices. */
#define LINE_ROOM (6 * MAX_LINE_BYTES + 1024)
#define NOTICE_ROOM (16 * 1024)
/** A descriptor output's buffer: the queue, one line, notices, and room to advance before moving. */
#define FD_BUFFER_BYTES (4 * QUEUE_LIMIT_BYTES + LINE_ROOM + NOTICE_ROOM)
/** One read from a program's pipe, which is made this big (F_SETPIPE_SZ, when allowed). */
#define READ_BYTES (1024 * 1024)
/** File outputs are written once this much is pending, and at the end of every read. */
#define FILE_BATCH_BYTES (64 * 1024)
/** A reader that takes nothing for this long is stalled. */
#define STALL_NS 1000000000LL
/** While output waits, the pump looks at stalls (and at outputs epoll cannot watch) this often. */
#define TICK_MS 50
/** A raw route to a rotating file holds a line this long at most to rotate before it whole. */
#define HELD_LINE_BYTES (64 * 1024)
/** A held-line buffer bigger than this is freed once its line is written. */
#define HELD_KEEP_BYTES 4096
/** Raw-output events in flight to JS at most; past it such chunks are not reported. */
#define EVENT_BYTES_LIMIT (4 * 1024 * 1024)
#define MAX_EVENTS 64

/** Set-up, control and error paths, run rarely: compiled for size (the addon has a size budget). */
#define RARE __attribute__((cold))

enum format { FORMAT_RAW = 0, FORMAT_PREFIX = 1, FORMAT_JSON = 2 };
enum watch_kind { WATCH_WAKE = 1, WATCH_ROUTE = 2, WATCH_OUTPUT = 3, WATCH_DGRAM = 4 };
enum event_type { EV_DROPPED = 1, EV_BROKEN = 2, EV_FILE_ERROR = 3, EV_ENDED = 4, EV_OUTPUT = 5, EV_READABLE = 6 };

struct output {
  int id;
  bool is_file;
  int target;          // 1 or 2 for corral's own outputs
  int wfd;             // what is written: an own non-blocking open, the target itself, or the file
  bool use_send;       // a socket: send(MSG_DONTWAIT) on the (blocking, shared) target
  bool pollable;       // epoll can watch wfd for EPOLLOUT
  bool polled;         // ... and does now
  char *path;          // files
  int64_t size, max_bytes;
  int backups;
  bool file_failing;   // a write error was reported; the next success clears it
  char *buf;
  size_t start, end, cap;
  bool dropping, holding, broken;
  // A raw route left a line unfinished at the queue's end; the drop notices, due meanwhile,
  // wait for a line's end so they never land inside one.
  bool mid_line, notice_due;
  int64_t last_progress;
  struct output *next;
};

struct tail;

struct route {
  int id, fd, pid, stream;  // stream: 1 stdout, 2 stderr
  struct output *out;
  struct tail *tail;        // NULL: no in-memory tail
  int format;
  char *prefix, *continued_prefix;
  size_t prefix_len, continued_len;
  char *json_head;          // ","program":"NAME","stream":"stdout","pid":
  size_t json_head_len;
  char *name;
  char pid_text[24];
  size_t pid_len;
  bool events, paused, at_line_start;
  bool skip_line;     // raw to stdout/stderr: the line being read was dropped (a stalled reader)
  bool awaiting_pid;  // a JSON route is not read until its program's pid is known
  // Read but not yet formatted: the output was over half full for a live reader. The pipe is
  // not read again until this is done, which holds the program back.
  unsigned char *in;
  size_t in_start, in_len;  // in[in_start .. in_start + in_len)
  char partial[MAX_LINE_BYTES];
  size_t partial_len;
  bool continued;
  // A raw route to a rotating file: the start of a line not ended yet (rotation is decided on
  // whole lines), or `streaming` the rest of one too long to hold.
  unsigned char *held;
  size_t held_len, held_cap;
  bool streaming;
  int64_t dropped;
  struct route *next;
};

struct event {
  int type, id;
  int64_t a;
  char *data;
  size_t len;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool started = false, stopped = false;
static int epfd = -1, wakefd = -1;
static napi_threadsafe_function tsfn;
// The Uint8Array JS gave pumpStart, which every output event's bytes are copied into (a view of
// it is what JS gets): a new ArrayBuffer per event would be garbage at the pipe's rate, and V8
// frees those only at its next GC (RssAnon +40 MiB under a fast writer, on Node and Deno).
static napi_ref output_ref = NULL;
static unsigned char *output_data = NULL;
static size_t output_len = 0;
static struct output *outputs = NULL;
static struct route *routes = NULL;
static int next_id = 1;
static int64_t event_bytes = 0;  // raw-output bytes posted to JS and not yet delivered
// Events gathered while the lock is held, posted after it is released.
static struct event *pending_events = NULL;
static size_t pending_count = 0, pending_cap = 0;
// Cached "YYYY-MM-DDTHH:MM:SS" for the current second.
static time_t stamp_second = -1;
static char stamp_text[32];

static int64_t now_ns(int clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t key(int kind, int id) { return ((uint64_t)kind << 32) | (uint32_t)id; }

static void post(int type, int id, int64_t a, const char *data, size_t len) {
  if (pending_count == pending_cap) {
    pending_cap = pending_cap ? pending_cap * 2 : 16;
    pending_events = realloc(pending_events, pending_cap * sizeof *pending_events);
  }
  struct event *e = &pending_events[pending_count++];
  e->type = type;
  e->id = id;
  e->a = a;
  e->len = len;
  e->data = NULL;
  if (data) {
    e->data = malloc(len ? len : 1);
    memcpy(e->data, data, len);
  }
}

// Hands the gathered events to JS; called without the lock.
static void flush_events(struct event *list, size_t n) {
  for (size_t i = 0; i < n; i++) {
    struct event *e = malloc(sizeof *e);
    *e = list[i];
    if (napi_call_threadsafe_function(tsfn, e, napi_tsfn_nonblocking) != napi_ok) {
      if (e->type == EV_OUTPUT) __atomic_sub_fetch(&event_bytes, (int64_t)e->len, __ATOMIC_RELAXED);
      free(e->data);
      free(e);
    }
  }
}

static void take_and_flush_events(void) {
  if (pending_count == 0) return;
  struct event *list = pending_events;
  size_t n = pending_count;
  pending_events = NULL;
  pending_count = pending_cap = 0;
  pthread_mutex_unlock(&lock);
  flush_events(list, n);
  free(list);
  pthread_mutex_lock(&lock);
}

// ---------------------------------------------------------------- outputs

static size_t queued(const struct output *o) { return o->end - o->start; }

static void watch_output(struct output *o, bool on) {
  if (!o->pollable || o->polled == on) return;
  struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = key(WATCH_OUTPUT, o->id)};
  if (epoll_ctl(epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, o->wfd, &ev) < 0) {
    if (on && errno == EPERM) o->pollable = false;  // a regular file: the tick retries instead
    return;
  }
  o->polled = on;
}

// Room for `n` more bytes at the end of the buffer (moves what is queued to the front).
static void make_room(struct output *o, size_t n) {
  if (o->cap - o->end >= n) return;
  if (o->start > 0) {
    memmove(o->buf, o->buf + o->start, queued(o));
    o->end -= o->start;
    o->start = 0;
  }
  if (o->cap - o->end < n) {
    o->cap = o->end + n;
    o->buf = realloc(o->buf, o->cap);
  }
}

RARE static void append_notices(struct output *o);

RARE static void mark_broken(struct output *o, int err) {
  o->broken = true;
  o->start = o->end = 0;
  watch_output(o, false);
  char label[16];
  snprintf(label, sizeof label, "%s", o->target == 1 ? "stdout" : "stderr");
  post(EV_BROKEN, o->target, err, label, strlen(label));
}

static int open_log_file(const char *path, bool truncate) {
  return RETRY_EINTR(open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | (truncate ? O_TRUNC : 0), 0666));
}

// Writes what is queued until done, the reader is full, or the output fails.
static void output_flush(struct output *o) {
  while (o->start < o->end && !o->broken) {
    ssize_t n;
    size_t len = queued(o);
    if (o->use_send) n = RETRY_EINTR(send(o->wfd, o->buf + o->start, len, MSG_DONTWAIT | MSG_NOSIGNAL));
    else n = RETRY_EINTR(write(o->wfd, o->buf + o->start, len));
    if (n > 0) {
      o->start += (size_t)n;
      o->last_progress = now_ns(CLOCK_MONOTONIC);
      if (o->is_file) {
        o->size += n;
        o->file_failing = false;
      }
      if (o->dropping && queued(o) <= QUEUE_LIMIT_BYTES / 2) {
        o->dropping = false;
        if (o->mid_line) o->notice_due = true;
        else append_notices(o);
      }
      continue;
    }
    if (n < 0 && errno == EAGAIN) break;
    int err = n < 0 ? errno : EIO;
    if (o->is_file) {
      // A full disk or a file gone bad: these bytes are lost; later writes try again.
      if (!o->file_failing) post(EV_FILE_ERROR, o->id, err, o->path, strlen(o->path));
      o->file_failing = true;
      o->start = o->end;
      break;
    }
    mark_broken(o, err);
    return;
  }
  if (o->start == o->end) o->start = o->end = 0;
  watch_output(o, !o->broken && o->start < o->end);  // a broken pipe is always "ready": never watch it
}

static void remove_and_rename(const char *from, const char *to) {
  if (rename(from, to) < 0 && errno != ENOENT) { /* as supervisord: a vanished source is fine */ }
}

// FILE -> FILE.1 -> ... -> FILE.N (the oldest dropped), then a fresh FILE; 0 backups: FILE truncated.
RARE static void rotate(struct output *o) {
  output_flush(o);
  close(o->wfd);
  if (o->backups > 0) {
    size_t n = strlen(o->path) + 16;
    char *from = malloc(n), *to = malloc(n);
    for (int i = o->backups - 1; i > 0; i--) {
      snprintf(from, n, "%s.%d", o->path, i);
      snprintf(to, n, "%s.%d", o->path, i + 1);
      remove_and_rename(from, to);
    }
    snprintf(to, n, "%s.1", o->path);
    remove_and_rename(o->path, to);
    free(from);
    free(to);
  }
  o->wfd = open_log_file(o->path, true);
  o->size = 0;
  if (o->wfd < 0) {
    post(EV_FILE_ERROR, o->id, errno, o->path, strlen(o->path));
    o->file_failing = true;
  }
}

// Before `line_bytes` more bytes start a line in a file: rotate if they would pass maxBytes.
static void before_file_line(struct output *o, size_t line_bytes) {
  if (o->max_bytes <= 0) return;
  int64_t size = o->size + (int64_t)queued(o);
  if (size > 0 && size + (int64_t)line_bytes > o->max_bytes) rotate(o);
}

// ---------------------------------------------------------------- tails

/** A tail's buffer starts this small and doubles up to its cap as output comes. */
#define TAIL_FIRST_BYTES 4096

struct tail {
  int id;
  char *buf;
  size_t cap, alloc;  // at most cap bytes kept; alloc of them allocated (0 until output comes)
  int64_t total;      // bytes written since the last clear: byte v is at buf[v % cap]
  struct tail *next;
};

static struct tail *tails = NULL;

static struct tail *find_tail(int id) {
  for (struct tail *t = tails; t; t = t->next) if (t->id == id) return t;
  return NULL;
}

// Appends `n` bytes: only the last `cap` are kept. While the buffer is smaller than its cap,
// nothing has wrapped yet (total <= alloc), so v % cap is v and growing keeps every byte.
static void tail_write(struct tail *t, const char *data, size_t n) {
  if (t->cap == 0 || n == 0) return;
  if (n > t->cap) {
    t->total += (int64_t)(n - t->cap);
    data += n - t->cap;
    n = t->cap;
  }
  if (t->alloc < t->cap && (size_t)t->total + n > t->alloc) {
    size_t want = t->alloc ? t->alloc : TAIL_FIRST_BYTES;
    while (want < (size_t)t->total + n) want *= 2;
    if (want > t->cap) want = t->cap;
    char *grown = realloc(t->buf, want);
    if (!grown) return;  // out of memory: this output is not kept
    t->buf = grown;
    t->alloc = want;
  }
  size_t at = (size_t)(t->total % (int64_t)t->cap), first = t->cap - at < n ? t->cap - at : n;
  memcpy(t->buf + at, data, first);
  memcpy(t->buf, data + first, n - first);
  t->total += (int64_t)n;
}

// ---------------------------------------------------------------- formatting

// Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes there are not one.
static size_t utf8_sequence(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  size_t len;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) len = 2;
  else if (c >= 0xe0 && c <= 0xef) { len = 3; if (c == 0xe0) lo = 0xa0; if (c == 0xed) hi = 0x9f; }
  else if (c >= 0xf0 && c <= 0xf4) { len = 4; if (c == 0xf0) lo = 0x90; if (c == 0xf4) hi = 0x8f; }
  else return 0;
  if (n < len || s[1] < lo || s[1] > hi) return 0;
  for (size_t i = 2; i < len; i++) if ((s[i] & 0xc0) != 0x80) return 0;
  return len;
}

// Whether the 8 bytes of the word `w` are all printable ASCII other than " and \ (copied as they are):
// the bit tricks of "Bit Twiddling Hacks" (haszero, hasless), exact for "any byte", on a word.
static inline bool plain_word(uint64_t w) {
  const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  uint64_t control = (w - ones * 0x20) & ~w;  // a byte below 0x20
  uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
  quote = (quote - ones) & ~quote;
  backslash = (backslash - ones) & ~backslash;
  return ((control | quote | backslash | w) & highs) == 0;  // w: a byte of 0x80 or more
}

static inline bool plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// Writes `s` as the inside of a JSON string: ", \ and control characters escaped, every
// byte that is not part of valid UTF-8 replaced by \ufffd. At most 6 bytes out per byte in.
static size_t json_escape(char *dst, const unsigned char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  char *d = dst;
  size_t i = 0;
  while (i < n) {
    // A run of printable ASCII is copied as it is, a word at a time as it is checked.
    while (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (!plain_word(w)) break;
      memcpy(d, &w, 8);
      d += 8;
      i += 8;
    }
    while (i < n && plain(s[i])) *d++ = (char)s[i++];
    if (i == n) break;
    unsigned char c = s[i];
    if (c == '"' || c == '\\') {
      *d++ = '\\';
      *d++ = (char)c;
      i++;
    } else if (c < 0x20) {
      *d++ = '\\';
      switch (c) {
        case '\n': *d++ = 'n'; break;
        case '\r': *d++ = 'r'; break;
        case '\t': *d++ = 't'; break;
        case '\b': *d++ = 'b'; break;
        case '\f': *d++ = 'f'; break;
        default: *d++ = 'u'; *d++ = '0'; *d++ = '0'; *d++ = hex[c >> 4]; *d++ = hex[c & 15];
      }
      i++;
    } else {
      size_t len = utf8_sequence(s + i, n - i);
      if (len) {
        memcpy(d, s + i, len);
        d += len;
        i += len;
      } else {
        memcpy(d, "\\ufffd", 6);
        d += 6;
        i++;
      }
    }
  }
  return (size_t)(d - dst);
}

// "2026-12-01T13:18:15.123Z" (24 bytes) for the wall-clock time `ns`.
static size_t rfc3339(char *dst, int64_t ns) {
  time_t sec = (time_t)(ns / 1000000000LL);
  if (sec != stamp_second) {
    struct tm tm;
    gmtime_r(&sec, &tm);
    strftime(stamp_text, sizeof stamp_text, "%Y-%m-%dT%H:%M:%S", &tm);
    stamp_second = sec;
  }
  int ms = (int)((ns / 1000000LL) % 1000);
  memcpy(dst, stamp_text, 19);
  dst[19] = '.';
  dst[20] = (char)('0' + ms / 100);
  dst[21] = (char)('0' + ms / 10 % 10);
  dst[22] = (char)('0' + ms % 10);
  dst[23] = 'Z';
  return 24;
}

// Whether the output takes a line of `size` more bytes; counts it as dropped otherwise.
static bool admit(struct route *r, size_t size) {
  struct output *o = r->out;
  if (o->broken) return false;
  if (o->is_file) return true;  // files do not wait for a reader
  if (!o->dropping && queued(o) + size <= QUEUE_LIMIT_BYTES) {
    if (queued(o) == 0) o->last_progress = now_ns(CLOCK_MONOTONIC);  // the wait starts now
    return true;
  }
  o->dropping = true;
  r->dropped++;
  return false;
}

/** The most json_object_head() writes for route `r`. */
#define JSON_OBJECT_HEAD_BYTES(r) (9 + 24 + (r)->json_head_len + (r)->pid_len + 17 + 9)

// Writes a JSON line's object up to its "line" string's first character at `d`:
// {"time":"…","program":…,"stream":…,"pid":N[,"continued":true],"line":" — its length.
static size_t json_object_head(const struct route *r, char *d, int64_t wall_ns, bool continued) {
  char *start = d;
  memcpy(d, "{\"time\":\"", 9);
  d += 9;
  d += rfc3339(d, wall_ns);
  memcpy(d, r->json_head, r->json_head_len);
  d += r->json_head_len;
  memcpy(d, r->pid_text, r->pid_len);
  d += r->pid_len;
  if (continued) {
    memcpy(d, ",\"continued\":true", 17);
    d += 17;
  }
  memcpy(d, ",\"line\":\"", 9);
  d += 9;
  return (size_t)(d - start);
}

// A line of `o` has ended: drop notices held back until then go out now.
static void line_ended(struct output *o) {
  o->mid_line = false;
  if (o->notice_due) {
    o->notice_due = false;
    append_notices(o);
  }
}

// One line (or piece of an overlong one) of a prefix or JSON route, newline added.
static void emit_line(struct route *r, const unsigned char *bytes, size_t n, bool continued, int64_t wall_ns) {
  struct output *o = r->out;
  if (o->broken) return;
  make_room(o, LINE_ROOM);
  char *at = o->buf + o->end, *d = at;
  if (r->format == FORMAT_JSON) {
    d += json_object_head(r, d, wall_ns, continued);
    d += json_escape(d, bytes, n);
    memcpy(d, "\"}\n", 3);
    d += 3;
  } else {
    const char *p = continued ? r->continued_prefix : r->prefix;
    size_t plen = continued ? r->continued_len : r->prefix_len;
    memcpy(d, p, plen);
    d += plen;
    memcpy(d, bytes, n);
    d += n;
    *d++ = '\n';
  }
  size_t size = (size_t)(d - at);
  if (o->is_file) before_file_line(o, size);  // may write out what is queued; the line stays put after it
  if (!admit(r, size)) return;
  if (o->start == o->end && o->end != (size_t)(at - o->buf)) {
    // rotate() emptied the queue and reset it: move the line to the front.
    memmove(o->buf, at, size);
    at = o->buf;
  }
  o->end = (size_t)(at - o->buf) + size;
  line_ended(o);
  // Write as we go (unless the reader is known to be full): a chunk of short lines can grow
  // several times over once formatted.
  if (queued(o) >= FILE_BATCH_BYTES && !o->polled) output_flush(o);
}

// Where to cut a full piece so no UTF-8 character is split (as src/logs/line-splitter.ts did).
static size_t char_boundary(const unsigned char *b, size_t end) {
  size_t back = end - 1;
  while (back > 0 && end - back < 4 && (b[back] & 0xc0) == 0x80) back--;
  unsigned char lead = b[back];
  size_t width = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return back > 0 && back + width > end ? back : end;
}

// Whether formatting for `o` must wait: over half its queue is used and the reader still
// reads (a stalled one costs dropped lines instead). Files never wait.
static bool must_wait(struct output *o) {
  if (o->is_file || o->broken || queued(o) <= QUEUE_LIMIT_BYTES / 2) return false;
  return now_ns(CLOCK_MONOTONIC) - o->last_progress < STALL_NS;
}

// Cuts `data` into lines for emit_line, keeping a partial line for the next chunk. Returns
// how much it took: it stops at a line boundary when the output must wait.
static size_t feed_lines(struct route *r, const unsigned char *data, size_t len, int64_t wall_ns) {
  size_t pos = 0;
  while (pos < len) {
    if (must_wait(r->out)) return pos;
    const unsigned char *nl = memchr(data + pos, '\n', len - pos);
    size_t seg_end = nl ? (size_t)(nl - data) : len;
    size_t seg = seg_end - pos;
    if (r->partial_len + seg > MAX_LINE_BYTES) {
      size_t take = MAX_LINE_BYTES - r->partial_len;
      memcpy(r->partial + r->partial_len, data + pos, take);
      size_t cut = char_boundary((unsigned char *)r->partial, MAX_LINE_BYTES);
      emit_line(r, (unsigned char *)r->partial, cut, r->continued, wall_ns);
      r->continued = true;
      r->partial_len = MAX_LINE_BYTES - cut;
      memmove(r->partial, r->partial + cut, r->partial_len);
      pos += take;
      continue;
    }
    if (!nl) {
      memcpy(r->partial + r->partial_len, data + pos, seg);
      r->partial_len += seg;
      return len;
    }
    if (r->partial_len == 0) {
      emit_line(r, data + pos, seg, r->continued, wall_ns);
    } else {
      memcpy(r->partial + r->partial_len, data + pos, seg);
      emit_line(r, (unsigned char *)r->partial, r->partial_len + seg, r->continued, wall_ns);
      r->partial_len = 0;
    }
    r->continued = false;
    pos = seg_end + 1;
  }
  return len;
}

// A raw route to corral's stdout/stderr (output read only for its events, unprefixed): the
// bytes unchanged, no partial line held back. A reader that is behind holds the program back
// as for prefixed lines; a stalled one costs whole lines, counted, never a torn one (a piece
// is a line or, for a line that spans reads, a part of it that goes or is dropped with it).
// Returns how much it took (less than len only when the output must wait).
static size_t feed_raw_fd(struct route *r, const unsigned char *data, size_t len) {
  struct output *o = r->out;
  size_t pos = 0;
  while (pos < len) {
    if (o->broken) return len;
    if (must_wait(o)) return pos;
    const unsigned char *nl = memchr(data + pos, '\n', len - pos);
    size_t piece = (nl ? (size_t)(nl - data) + 1 : len) - pos;
    if (r->at_line_start) {
      r->skip_line = !admit(r, piece);
    } else if (!r->skip_line && queued(o) + piece > QUEUE_LIMIT_BYTES) {
      // A line that does not end (a progress bar, a blob) under a stalled reader: the rest of it
      // is dropped and counted as admit() counts a line, and what was kept is closed.
      r->skip_line = true;
      r->dropped++;
      o->dropping = true;
      make_room(o, 1);
      o->buf[o->end++] = '\n';
      o->mid_line = false;
    }
    if (!r->skip_line) {
      if (queued(o) == 0) o->last_progress = now_ns(CLOCK_MONOTONIC);
      make_room(o, piece);
      memcpy(o->buf + o->end, data + pos, piece);
      o->end += piece;
      if (nl) line_ended(o);
      else o->mid_line = true;
      if (queued(o) >= FILE_BATCH_BYTES && !o->polled) output_flush(o);
    }
    r->at_line_start = nl != NULL;
    pos += piece;
  }
  return len;
}

// Appends bytes to a file output's queue, writing it out once a batch is pending.
static void file_append(struct output *o, const unsigned char *data, size_t n) {
  make_room(o, n);
  memcpy(o->buf + o->end, data, n);
  o->end += n;
  if (queued(o) >= FILE_BATCH_BYTES) output_flush(o);
}

// Keeps the start of a line that has not ended yet (a raw route to a rotating file).
static void hold(struct route *r, const unsigned char *data, size_t n) {
  if (r->held_cap < r->held_len + n) {
    size_t cap = r->held_cap ? r->held_cap : 256;
    while (cap < r->held_len + n) cap *= 2;
    r->held = realloc(r->held, cap);
    r->held_cap = cap;
  }
  memcpy(r->held + r->held_len, data, n);
  r->held_len += n;
}

// Writes what a route holds (its line has ended, or the route has) and lets a big buffer go.
static void write_held(struct route *r, bool rotate_first) {
  if (r->held_len == 0) return;
  before_file_line(r->out, rotate_first ? (size_t)r->out->max_bytes + 1 : r->held_len);
  file_append(r->out, r->held, r->held_len);
  r->held_len = 0;
  if (r->held_cap > HELD_KEEP_BYTES) {
    free(r->held);
    r->held = NULL;
    r->held_cap = 0;
  }
}

// A raw route to a file (bytes unchanged). With maxBytes, every line goes whole into one file:
// rotation is decided on its full length, before it, so a line that spans reads is held until
// it ends. A line longer than HELD_LINE_BYTES (or maxBytes) starts a file of its own (unless
// the file is empty) and is written as it comes: only a line longer than maxBytes makes a file
// pass maxBytes.
static void feed_raw(struct route *r, const unsigned char *data, size_t len) {
  struct output *o = r->out;
  size_t pos = 0;
  bool whole_lines = data[len - 1] == '\n' || o->max_bytes <= 0;
  // The common case: nothing queued or held, whole lines, no rotation in this chunk: written
  // as it is, no copy.
  if (queued(o) == 0 && r->held_len == 0 && !r->streaming && whole_lines && !o->file_failing && o->wfd >= 0 &&
      (o->max_bytes <= 0 || o->size + (int64_t)len <= o->max_bytes)) {
    while (pos < len) {
      ssize_t n = RETRY_EINTR(write(o->wfd, data + pos, len - pos));
      if (n <= 0) break;
      pos += (size_t)n;
      o->size += n;
    }
    if (pos == len) {
      r->at_line_start = data[len - 1] == '\n';
      return;
    }
    // A write failed: the rest goes the slow way, which reports it.
  }
  if (o->max_bytes <= 0) {  // never rotated: no line to hold
    file_append(o, data + pos, len - pos);
    r->at_line_start = data[len - 1] == '\n';
    return;
  }
  size_t limit = o->max_bytes < HELD_LINE_BYTES ? (size_t)o->max_bytes : HELD_LINE_BYTES;
  while (pos < len) {
    const unsigned char *nl = memchr(data + pos, '\n', len - pos);
    size_t piece = (nl ? (size_t)(nl - data) + 1 : len) - pos;
    if (r->streaming) {
      file_append(o, data + pos, piece);  // the rest of a long line
      r->streaming = nl == NULL;
    } else if (r->held_len + piece > limit) {
      // A long line: it starts a new file, its start (held) first.
      if (r->held_len) write_held(r, true);
      else before_file_line(o, (size_t)o->max_bytes + 1);
      file_append(o, data + pos, piece);
      r->streaming = nl == NULL;
    } else if (!nl) {
      hold(r, data + pos, piece);  // its end is in a later read
    } else if (r->held_len) {
      hold(r, data + pos, piece);
      write_held(r, false);
    } else {
      before_file_line(o, piece);
      file_append(o, data + pos, piece);
    }
    r->at_line_start = nl != NULL;
    pos += piece;
  }
}

static size_t lines_fast(struct route *r, const unsigned char *data, size_t len, const char *head, size_t hlen, bool json);
static size_t json_fast(struct route *r, const unsigned char *data, size_t len, int64_t wall_ns);

// Formats `data` into the route's output; returns how much it took (less than len only when
// the output must wait).
static size_t format(struct route *r, const unsigned char *data, size_t len) {
  if (r->format == FORMAT_RAW) {
    if (!r->out->is_file) return feed_raw_fd(r, data, len);
    feed_raw(r, data, len);
    return len;
  }
  int64_t wall_ns = r->format == FORMAT_JSON ? now_ns(CLOCK_REALTIME) : 0;
  size_t done = r->format == FORMAT_PREFIX ? lines_fast(r, data, len, r->prefix, r->prefix_len, false) : json_fast(r, data, len, wall_ns);
  return done + feed_lines(r, data + done, len - done, wall_ns);
}

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

static void watch_route(struct route *r, bool on);

// Formats what a route kept, as far as its output lets; true once nothing is left.
static bool resume_route(struct route *r) {
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

/** Bytes the lines hot loop formats between checks of the queue (and flushes). */
#define PREFIX_BATCH_BYTES (64 * 1024)
/** A prefix this short is copied as one fixed-size block (its buffer is padded to it). */
#define SHORT_PREFIX_BYTES 32

// The newline in [p, end), looked for byte by byte first: most lines of a chatty program are
// short, and memchr's set-up costs more than such a line.
static inline const unsigned char *next_newline(const unsigned char *p, const unsigned char *end) {
  const unsigned char *stop = end - p > 16 ? p + 16 : end;
  for (const unsigned char *q = p; q < stop; q++) if (*q == '\n') return q;
  return stop < end ? memchr(stop, '\n', (size_t)(end - stop)) : NULL;
}

/** The longest JSON object head (time, program, stream, pid) the JSON hot loop builds. */
#define JSON_HEAD_MAX 512

// The hot loop of both line formats: whole lines of a chunk with no partial line pending,
// each written straight into the output as `head` and the line (2-byte lines make the
// per-line cost all that counts), a batch of up to PREFIX_BATCH_BYTES between checks of the
// queue. For JSON the line is escaped and the object closed. Returns how far it got; the rest
// (a partial or overlong line, a full queue) goes through feed_lines.
// Inlined into lines_fast once per pair of constant flags, so each copy of the per-line loop
// keeps its work in registers (one loop testing both flags spilled them to the stack).
static inline __attribute__((always_inline)) size_t lines_fast_as(struct route *r, const unsigned char *data, size_t len,
                                                                  const char *head, size_t hlen, const bool json, const bool short_head) {
  struct output *o = r->out;
  // A local copy of a short prefix: the output cannot alias it, so it stays in registers.
  char short_copy[SHORT_PREFIX_BYTES];
  if (short_head) {
    memcpy(short_copy, head, SHORT_PREFIX_BYTES);
    head = short_copy;
  }
  const size_t longest = hlen + (json ? 6 * MAX_LINE_BYTES + 3 : MAX_LINE_BYTES + 1) + SHORT_PREFIX_BYTES;
  const unsigned char *p = data, *end = data + len;
  while (p < end) {
    if (queued(o) > QUEUE_LIMIT_BYTES / 2) break;  // feed_lines decides: wait, or drop for a stalled reader
    if (queued(o) == 0) o->last_progress = now_ns(CLOCK_MONOTONIC);
    // Room for the batch and one more line of the longest kind (it may pass the batch's end).
    make_room(o, PREFIX_BATCH_BYTES + longest);
    char *d = o->buf + o->end, *batch_end = d + PREFIX_BATCH_BYTES;
    bool stop = false;
    while (p < end && d < batch_end) {
      const unsigned char *nl = next_newline(p, end);
      size_t line = nl ? (size_t)(nl - p) + 1 : 0;  // with its newline
      if (!nl || line > MAX_LINE_BYTES + 1) {
        stop = true;
        break;
      }
      if (short_head) memcpy(d, head, SHORT_PREFIX_BYTES);  // one block; what follows overwrites the rest
      else if (json) for (size_t k = 0; k < hlen; k += 16) memcpy(d + k, head + k, 16);  // fixed blocks: no call per line
      else memcpy(d, head, hlen);
      d += hlen;
      if (json) {
        d += json_escape(d, p, line - 1);
        memcpy(d, "\"}\n", 3);
        d += 3;
      } else {
        // A short line with 16 bytes readable is one fixed block too (what follows it is overwritten).
        if (line <= 16 && end - p >= 16) memcpy(d, p, 16);
        else memcpy(d, p, line);
        d += line;
      }
      p += line;
    }
    o->end = (size_t)(d - o->buf);
    if (queued(o) >= FILE_BATCH_BYTES && !o->polled) output_flush(o);
    if (o->broken) return len;  // the reader is gone (EPIPE): the rest is discarded, as emit_line does
    if (stop) break;
  }
  if (p > data) line_ended(o);
  return (size_t)(p - data);
}

static size_t lines_fast(struct route *r, const unsigned char *data, size_t len, const char *head, size_t hlen, bool json) {
  struct output *o = r->out;
  if (r->partial_len > 0 || r->continued || o->broken || o->dropping || o->is_file) return 0;
  if (json) return lines_fast_as(r, data, len, head, hlen, true, false);
  // Only the prefix buffer is padded to SHORT_PREFIX_BYTES.
  if (hlen <= SHORT_PREFIX_BYTES) return lines_fast_as(r, data, len, head, hlen, false, true);
  return lines_fast_as(r, data, len, head, hlen, false, false);
}

// The JSON hot loop: every line of a chunk carries the chunk's time (one clock read per read),
// so the object's head up to "line":" is the same for all of them and is built once.
static size_t json_fast(struct route *r, const unsigned char *data, size_t len, int64_t wall_ns) {
  if (JSON_OBJECT_HEAD_BYTES(r) > JSON_HEAD_MAX) return 0;
  char head[JSON_HEAD_MAX];
  return lines_fast(r, data, len, head, json_object_head(r, head, wall_ns, false), true);
}

// The drop notices, once a reader has caught up: one line per program that lost lines.
RARE static void append_notices(struct output *o) {
  for (struct route *r = routes; r; r = r->next) {
    if (r->out != o || r->dropped == 0) continue;
    char line[512];
    int n = snprintf(line, sizeof line, "corral: %lld lines from %s dropped (%s not read)\n", (long long)r->dropped,
                     r->name, o->target == 1 ? "stdout" : "stderr");
    if (n < 0 || (size_t)n >= sizeof line) n = (int)strlen(line);
    make_room(o, (size_t)n);
    memcpy(o->buf + o->end, line, (size_t)n);
    o->end += (size_t)n;
    post(EV_DROPPED, r->id, r->dropped, NULL, 0);
    r->dropped = 0;
  }
}

// ---------------------------------------------------------------- routes

static void watch_route(struct route *r, bool on) {
  if (r->awaiting_pid) on = false;
  if (r->paused == !on) return;
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = key(WATCH_ROUTE, r->id)};
  epoll_ctl(epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, r->fd, &ev);
  r->paused = !on;
}

RARE static void end_route(struct route *r) {
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

enum read_result { READ_EMPTY, READ_DATA, READ_END };

// Reads once from a readable pipe.
static enum read_result route_read(struct route *r) {
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

static struct route *find_route(int id) {
  for (struct route *r = routes; r; r = r->next) if (r->id == id) return r;
  return NULL;
}

static struct output *find_output(int id) {
  for (struct output *o = outputs; o; o = o->next) if (o->id == id) return o;
  return NULL;
}

// Holds back (or lets go) the programs writing to `o`, and looks for stalls.
static void check_pressure(struct output *o, int64_t now) {
  if (o->is_file) return;
  bool stalled = queued(o) > 0 && now - o->last_progress >= STALL_NS;
  bool hold = !o->broken && !stalled &&
              (o->holding ? queued(o) > QUEUE_LIMIT_BYTES / 4 : queued(o) > QUEUE_LIMIT_BYTES / 2);
  if (hold == o->holding) return;
  o->holding = hold;
  for (struct route *r = routes; r; r = r->next) if (r->out == o && r->fd >= 0) watch_route(r, !hold && r->in_len == 0);
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

static void wake(void) {
  uint64_t one = 1;
  if (write(wakefd, &one, sizeof one) < 0) { /* already awake */ }
}

// ---------------------------------------------------------------- JS side

// A view of the first `len` bytes of the output buffer (pumpStart's second argument), or NULL.
static bool output_view(napi_env env, size_t len, napi_value *view) {
  napi_value whole, ab;
  size_t offset;
  if (!output_ref || len > output_len || napi_get_reference_value(env, output_ref, &whole) != napi_ok || !whole) return false;
  if (napi_get_typedarray_info(env, whole, NULL, NULL, NULL, &ab, &offset) != napi_ok) return false;
  return napi_create_typedarray(env, napi_uint8_array, len, ab, offset, view) == napi_ok;
}

static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  (void)context;
  struct event *e = data;
  if (env && cb) {
    napi_value args[4], global, bytes;
    napi_create_int32(env, e->type, &args[0]);
    napi_create_int32(env, e->id, &args[1]);
    napi_create_int64(env, e->a, &args[2]);
    napi_get_undefined(env, &args[3]);
    if (e->type == EV_OUTPUT && e->data && output_view(env, e->len, &bytes)) {
      memcpy(output_data, e->data, e->len);  // valid until the next output event: JS uses it during the call
      args[3] = bytes;
    } else if (e->data) {
      void *copy;
      napi_value ab;
      if (napi_create_arraybuffer(env, e->len, &copy, &ab) == napi_ok) {
        memcpy(copy, e->data, e->len);
        napi_create_typedarray(env, napi_uint8_array, e->len, ab, 0, &bytes);
        args[3] = bytes;
      }
    }
    napi_get_global(env, &global);
    napi_call_function(env, global, cb, 4, args, NULL);
  }
  if (e->type == EV_OUTPUT) __atomic_sub_fetch(&event_bytes, (int64_t)e->len, __ATOMIC_RELAXED);
  free(e->data);
  free(e);
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

// pumpStart(onEvent, outputBuffer?) -> 0 or -errno. onEvent(type, id, a, bytes?) is called on
// the JS thread: 1 dropped (route, lines), 2 broken (target fd, errno, label), 3 file error
// (output, errno, path), 4 ended (route, lines still to report), 5 output (route, stream, bytes:
// a view of outputBuffer, valid during the call only, when it is READ_BYTES long), 6 readable
// (datagram socket id). The function does not keep the event loop alive.
RARE static napi_value PumpStart(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2], name;
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  pthread_mutex_lock(&lock);
  int r = 0;
  void *buffer = NULL;
  size_t buffer_len = 0;
  if (!output_ref && argc > 1 && get_bytes(env, args[1], &buffer, &buffer_len) && buffer_len >= READ_BYTES &&
      napi_create_reference(env, args[1], 1, &output_ref) == napi_ok) {
    output_data = buffer;
    output_len = buffer_len;
  }
  if (!tsfn) {
    napi_create_string_utf8(env, "corral log pump", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, args[0], NULL, name, 0, 1, NULL, NULL, NULL, call_js, &tsfn) != napi_ok) r = -EINVAL;
    else napi_unref_threadsafe_function(env, tsfn);
  }
  if (r == 0) r = pump_ensure_started();
  pthread_mutex_unlock(&lock);
  return make_int(env, r);
}

RARE static struct output *fd_output(int target) {
  for (struct output *o = outputs; o; o = o->next) if (!o->is_file && o->target == target) return o;
  struct output *o = calloc(1, sizeof *o);
  o->id = next_id++;
  o->target = target;
  // An own non-blocking open of a pipe or terminal; a socket gets send(MSG_DONTWAIT); anything
  // else (a file) is written as it is.
  struct stat st;
  o->wfd = target;
  if (fstat(target, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
    char path[32];
    snprintf(path, sizeof path, "/proc/self/fd/%d", target);
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0) o->wfd = fd;
    // A bigger pipe to the reader as well: fewer, larger writes and wake-ups on both sides
    // (best effort, as for the programs' pipes).
    // Only ever grown: a pipe someone made bigger stays so.
    if (S_ISFIFO(st.st_mode)) {
      int size = fcntl(o->wfd, F_GETPIPE_SZ);
      if (size >= 0 && size < READ_BYTES) fcntl(o->wfd, F_SETPIPE_SZ, READ_BYTES);
    }
  } else if (S_ISSOCK(st.st_mode)) {
    o->use_send = true;
  }
  o->pollable = true;
  // Room past the queue, so the queue is moved to the front of the buffer only after
  // several times its size has been written (the move is what a slow reader costs).
  o->cap = FD_BUFFER_BYTES;
  o->buf = malloc(o->cap);
  o->last_progress = now_ns(CLOCK_MONOTONIC);
  o->next = outputs;
  outputs = o;
  return o;
}

RARE static struct output *file_output(const char *path, int64_t max_bytes, int backups, int *err) {
  for (struct output *o = outputs; o; o = o->next) if (o->is_file && strcmp(o->path, path) == 0) return o;
  int fd = open_log_file(path, false);
  if (fd < 0) {
    *err = errno;
    return NULL;
  }
  struct output *o = calloc(1, sizeof *o);
  struct stat st;
  o->id = next_id++;
  o->is_file = true;
  o->wfd = fd;
  o->path = strdup(path);
  o->size = fstat(fd, &st) == 0 ? st.st_size : 0;
  o->max_bytes = max_bytes;
  o->backups = backups;
  o->cap = FILE_BATCH_BYTES + LINE_ROOM + READ_BYTES;
  o->buf = malloc(o->cap);
  o->next = outputs;
  outputs = o;
  return o;
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
  size_t name_len = strlen(r->name);
  r->json_head = malloc(6 * name_len + 64);
  char *d = r->json_head;
  d += sprintf(d, "\",\"program\":\"");
  d += json_escape(d, (unsigned char *)r->name, name_len);
  d += sprintf(d, "\",\"stream\":\"%s\",\"pid\":", r->stream == 2 ? "stderr" : "stdout");
  r->json_head_len = (size_t)(d - r->json_head);
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
  int failed = 0;
  pthread_mutex_lock(&lock);
  for (struct output *o = outputs; o; o = o->next) {
    if (!o->is_file) continue;
    output_flush(o);
    if (o->wfd >= 0) close(o->wfd);
    o->wfd = open_log_file(o->path, false);
    struct stat st;
    o->size = o->wfd >= 0 && fstat(o->wfd, &st) == 0 ? st.st_size : 0;
    o->file_failing = o->wfd < 0;
    if (o->wfd < 0) failed++;
  }
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

// tailOpen(cap) -> a tail's id: keeps the last `cap` bytes written to it (routes with
// `tail: id`, or tailWrite). Needs no pump thread.
RARE static napi_value TailOpen(napi_env env, napi_callback_info info) {
  int64_t cap = int_arg(env, info, 0);
  struct tail *t = calloc(1, sizeof *t);
  pthread_mutex_lock(&lock);
  t->id = next_id++;
  t->cap = cap > 0 ? (size_t)cap : 0;
  t->next = tails;
  tails = t;
  pthread_mutex_unlock(&lock);
  return make_int(env, t->id);
}

// tailWrite(id, bytes) -> 0 or -ENOENT: appends to a tail (corral's own messages).
RARE static napi_value TailWrite(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  void *data = NULL;
  size_t len = 0;
  if (argc < 2 || !get_bytes(env, args[1], &data, &len)) return make_int(env, -EINVAL);
  pthread_mutex_lock(&lock);
  struct tail *t = find_tail((int)get_int(env, args[0], -1));
  if (t) tail_write(t, data, len);
  pthread_mutex_unlock(&lock);
  return make_int(env, t ? 0 : -ENOENT);
}

// tailSize(id) -> bytes written since the last clear (the offset the next byte gets), or -ENOENT.
RARE static napi_value TailSize(napi_env env, napi_callback_info info) {
  pthread_mutex_lock(&lock);
  struct tail *t = find_tail((int)int_arg(env, info, -1));
  int64_t total = t ? t->total : -ENOENT;
  pthread_mutex_unlock(&lock);
  return make_int(env, total);
}

// tailRead(id, offset, length) -> the kept bytes of [offset, offset + length): a Uint8Array,
// shorter (or empty) where bytes were never written or are no longer kept; -ENOENT.
RARE static napi_value TailRead(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int64_t offset = argc > 1 ? get_int(env, args[1], 0) : 0, length = argc > 2 ? get_int(env, args[2], 0) : 0;
  pthread_mutex_lock(&lock);
  struct tail *t = find_tail((int)get_int(env, args[0], -1));
  if (!t) {
    pthread_mutex_unlock(&lock);
    return make_int(env, -ENOENT);
  }
  int64_t kept = t->total < (int64_t)t->cap ? t->total : (int64_t)t->cap;
  int64_t from = offset > t->total - kept ? offset : t->total - kept;
  int64_t to = length > 0 && offset + length < t->total ? offset + length : t->total;
  size_t n = to > from ? (size_t)(to - from) : 0;
  void *copy = NULL;
  napi_value ab, bytes;
  if (napi_create_arraybuffer(env, n, &copy, &ab) != napi_ok) {
    pthread_mutex_unlock(&lock);
    return make_int(env, -ENOMEM);
  }
  if (n > 0) {
    size_t at = (size_t)(from % (int64_t)t->cap), first = t->cap - at < n ? t->cap - at : n;
    memcpy(copy, t->buf + at, first);
    memcpy((char *)copy + first, t->buf, n - first);
  }
  pthread_mutex_unlock(&lock);
  napi_create_typedarray(env, napi_uint8_array, n, ab, 0, &bytes);
  return bytes;
}

// tailClear(id) -> 0 or -ENOENT: empties a tail (its size is 0 again) and frees its buffer.
RARE static napi_value TailClear(napi_env env, napi_callback_info info) {
  pthread_mutex_lock(&lock);
  struct tail *t = find_tail((int)int_arg(env, info, -1));
  if (t) {
    free(t->buf);
    t->buf = NULL;
    t->alloc = 0;
    t->total = 0;
  }
  pthread_mutex_unlock(&lock);
  return make_int(env, t ? 0 : -ENOENT);
}

// Used by dgram.c: the pump thread reports readable datagram sockets.
int pump_watch_readable(int id, int fd, bool add) {
  struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = key(WATCH_DGRAM, id)};
  return epoll_ctl(epfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void pump_unwatch(int fd) { epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL); }

void register_pump(napi_env env, napi_value exports) {
  export_fn(env, exports, "pumpStart", PumpStart);
  export_fn(env, exports, "pumpRoute", PumpRoute);
  export_fn(env, exports, "pumpSetPid", PumpSetPid);
  export_fn(env, exports, "pumpReopen", PumpReopen);
  export_fn(env, exports, "pumpFlush", PumpFlush);
  export_fn(env, exports, "tailOpen", TailOpen);
  export_fn(env, exports, "tailWrite", TailWrite);
  export_fn(env, exports, "tailSize", TailSize);
  export_fn(env, exports, "tailRead", TailRead);
  export_fn(env, exports, "tailClear", TailClear);
}
