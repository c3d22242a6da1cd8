// Raw routes: the program's bytes unchanged (no prefix, no format), to corral's stdout/stderr
// (a route read only to report its output as events) or to a log file, where lines that
// span reads are held so a rotation never splits one.
#include "pump.h"

/** A raw route to a rotating file holds a line this long at most to rotate before it whole. */
#define HELD_LINE_BYTES (64 * 1024)
/** A held-line buffer bigger than this is freed once its line is written. */
#define HELD_KEEP_BYTES 4096

// A raw route to corral's stdout/stderr (output read only for its events, unprefixed): the
// bytes unchanged, no partial line held back. A reader that is behind holds the program back
// as for prefixed lines; a stalled one costs whole lines, counted, never a torn one (a piece
// is a line or, for a line that spans reads, a part of it that goes or is dropped with it).
// Returns how much it took (less than len only when the output must wait).
size_t feed_raw_fd(struct route *r, const unsigned char *data, size_t len) {
  struct output *o = r->out;
  size_t pos = 0;
  // The common case, a reader that keeps up: every line fits, so the chunk is queued at once
  // (line by line below only when some could be dropped or notices wait for a line's end).
  if (!o->broken && !o->dropping && !o->notice_due && !r->skip_line && queued(o) + len <= QUEUE_LIMIT_BYTES) {
    if (queued(o) == 0) o->last_progress = now_ns(CLOCK_MONOTONIC);
    make_room(o, len);
    memcpy(o->buf + o->end, data, len);
    o->end += len;
    r->at_line_start = data[len - 1] == '\n';
    o->mid_line = !r->at_line_start;
    if (queued(o) >= FILE_BATCH_BYTES && !o->polled) output_flush(o);
    return len;
  }
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
void write_held(struct route *r, bool rotate_first) {
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
void feed_raw(struct route *r, const unsigned char *data, size_t len) {
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
