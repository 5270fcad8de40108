#include "request_reader.h"

#include <algorithm>
#include <cstring>

namespace respd {

void QueryBuffer::reserve_tail(size_t extra) {
  if (start > 0 && len + extra > cap) {
    std::memmove(data.get(), data.get() + start, len - start);
    len -= start;
    start = 0;
  }
  if (len + extra <= cap) return;
  size_t ncap = std::max(len + extra, cap < kReadLen ? len + extra : cap * 2);
  std::unique_ptr<char[]> next(new char[ncap]);
  if (len) std::memcpy(next.get(), data.get(), len);
  data = std::move(next);
  cap = ncap;
}

void QueryBuffer::append(const char* p, size_t n) {
  reserve_tail(n);
  std::memcpy(data.get() + len, p, n);
  len += n;
}

void QueryBuffer::release() {
  data.reset();
  cap = len = start = 0;
}

RequestReader::Space RequestReader::space(GrowBuf& arena) {
  if (big_) return Space{big_->data + big_filled_, big_->size - big_filled_, Target::kBigArg, 0};
  if (qb_.held()) {
    // At most PROTO_IOBUF_LEN per read, as Redis reads: where a request ends up (a 64 KiB inline
    // line seen whole or refused as too big) depends on read sizes in Redis too.
    qb_.reserve_tail(kReadLen);
    size_t room = qb_.cap - qb_.len;
    return Space{qb_.data.get() + qb_.len, room < kReadLen ? room : kReadLen, Target::kPrivate, 0};
  }
  arena.reserve(kReadLen);
  return Space{arena.data() + arena.used(), kReadLen, Target::kArena, arena.used()};
}

void RequestReader::commit(GrowBuf& arena, const Space& s, size_t n) {
  switch (s.target) {
    case Target::kArena:
      arena.set_used(s.arena_start + n);
      break;
    case Target::kPrivate:
      qb_.len += n;
      break;
    case Target::kBigArg:
      big_filled_ += n;
      break;
  }
}

bool RequestReader::process(BatchBuffers& out, uint32_t slot, const Space& s, size_t n, const ParseLimits& lim) {
  bool was_stopped = stopped_;
  switch (s.target) {
    case Target::kBigArg:
      if (big_filled_ == big_->size) {
        bigs_.push_back(std::move(big_));
        big_.reset();
        big_filled_ = 0;
        parser_.big_arg_done(static_cast<uint32_t>(bigs_.size() - 1));
        process_private(out, slot, lim);
      }
      break;
    case Target::kPrivate:
      process_private(out, slot, lim);
      break;
    case Target::kArena:
      process_arena(out, slot, s.arena_start, n, lim);
      break;
  }
  size_t q = qbuf();
  if (q > peak_) peak_ = q;
  return stopped_ && !was_stopped;
}

// Handles one parse result. Returns true to keep parsing. `base` is the command start.
bool RequestReader::handle(BatchBuffers& out, uint32_t slot, ParseStatus st, const char* base, size_t avail,
                           bool in_arena, size_t arena_off) {
  switch (st) {
    case ParseStatus::kComplete:
      emit_command(out, slot, base, in_arena, arena_off);
      return true;
    case ParseStatus::kEmpty:
      return true;
    case ParseStatus::kIncomplete:
      if (in_arena) qb_.append(base, avail);  // keep the partial request privately
      return false;
    case ParseStatus::kNeedBigArg: {
      size_t pre = parser_.consumed();
      if (in_arena) {
        qb_.append(base, pre);
      } else {
        qb_.len = qb_.start + pre;  // the payload leaves the query buffer
      }
      // The big argument gets a buffer of exactly len+2 that later reads fill directly.
      big_ = std::make_shared<Bytes>(static_cast<size_t>(parser_.big_len()) + 2);
      big_filled_ = avail - pre;
      std::memcpy(big_->data, base + pre, big_filled_);
      return false;
    }
    case ParseStatus::kError:
      out.record({kRecProtocolError, slot, static_cast<uint32_t>(parser_.error()), parser_.error_byte()});
      stopped_ = true;
      qb_.release();
      return false;
  }
  return false;
}

void RequestReader::process_arena(BatchBuffers& out, uint32_t slot, size_t start, size_t n, const ParseLimits& lim) {
  size_t pos = 0;
  while (pos < n && !stopped_) {
    const char* base = out.arena.data() + start + pos;  // re-read: emitting may move the arena
    ParseStatus st = parser_.parse(base, n - pos, lim);
    size_t used = parser_.consumed();
    if (!handle(out, slot, st, base, n - pos, true, start + pos)) return;
    parser_.reset();
    pos += used;
  }
}

void RequestReader::process_private(BatchBuffers& out, uint32_t slot, const ParseLimits& lim) {
  while (!stopped_ && qb_.held()) {
    size_t avail = qb_.unparsed();
    if (avail == 0 && !parser_.in_progress()) break;
    const char* base = qb_.cmd();
    ParseStatus st = parser_.parse(base, avail, lim);
    size_t used = parser_.consumed();
    if (!handle(out, slot, st, base, avail, false, 0)) break;
    parser_.reset();
    qb_.start += used;
  }
  // Idle again: give the private buffer back, later reads go through the arena.
  if (qb_.held() && qb_.unparsed() == 0 && !parser_.in_progress() && !big_) qb_.release();
}

void RequestReader::emit_command(BatchBuffers& out, uint32_t slot, const char* base, bool in_arena, size_t arena_off) {
  const std::vector<ArgRef>& args = parser_.args();
  size_t words = 3 + 2 * args.size();
  // The record is written in place (copying arguments not in the arena yet goes to the arena,
  // another buffer, so the record's room stays put).
  out.records.reserve(words * 4);
  uint32_t* w = reinterpret_cast<uint32_t*>(out.records.data() + out.records.used());
  out.records.set_used(out.records.used() + words * 4);
  *w++ = kRecCommand;
  *w++ = slot;
  *w++ = static_cast<uint32_t>(args.size());
  // A multibulk command from a private buffer (it spanned two reads, as a master's stream does
  // all the time) is copied to the arena whole, in one piece: the arguments then sit in the
  // arena inside the command's own bytes, which JS can take as they are (Args.wire()).
  if (!in_arena && parser_.consumed() > 0 && base[0] == '*') {
    bool whole = true;
    for (const ArgRef& a : args) whole = whole && a.src == ArgSource::kBuffer;
    if (whole) {
      in_arena = true;
      arena_off = out.arena.used();
      out.arena.append(base, parser_.consumed());
    }
  }
  for (const ArgRef& a : args) {
    uint32_t off = 0, len = a.len;
    switch (a.src) {
      case ArgSource::kBuffer:
        if (in_arena) {
          off = static_cast<uint32_t>(arena_off + a.off);
        } else {
          off = static_cast<uint32_t>(out.arena.used());
          out.arena.append(base + a.off, a.len);
        }
        break;
      case ArgSource::kScratch:
        off = static_cast<uint32_t>(out.arena.used());
        out.arena.append(parser_.scratch().data() + a.off, a.len);
        break;
      case ArgSource::kBig:
        off = static_cast<uint32_t>(out.bigs.size());
        out.bigs.push_back(std::move(bigs_[a.off]));
        len = kBigArgLen;
        break;
    }
    *w++ = off;
    *w++ = len;
  }
  bigs_.clear();
}

size_t RequestReader::memory() const {
  size_t bigs = 0;
  for (const auto& b : bigs_) bigs += b->size;
  return qb_.cap + (big_ ? big_->size : 0) + bigs;
}

// Only buffers with more than 4 KiB free are touched: an idle one with no partial request is
// freed (reads go through the arena again), a large one whose peak stayed under half its size
// is cut down. The peak restarts from the current length.
size_t RequestReader::resize(bool idle) {
  size_t released = 0;
  if (!qb_.held()) return 0;
  size_t free_bytes = qb_.cap - qb_.len;
  size_t used = qb_.unparsed();
  if (free_bytes > 4096) {
    if (idle && used == 0 && !parser_.in_progress()) {
      released += qb_.cap;
      qb_.release();
    } else if (qb_.cap > 32 * 1024 && qb_.cap / 2 > peak_) {
      size_t target = std::max(used, peak_);
      std::unique_ptr<char[]> next(new char[target ? target : 1]);
      if (used) std::memcpy(next.get(), qb_.data.get() + qb_.start, used);
      released += qb_.cap - (target ? target : 1);
      qb_.data = std::move(next);
      qb_.cap = target ? target : 1;
      qb_.len = used;
      qb_.start = 0;
    }
  }
  peak_ = qb_.unparsed();
  return released;
}

void RequestReader::release() {
  qb_.release();
  big_.reset();
  bigs_.clear();
}

}  // namespace respd
