// Client limits: the query buffer limit while reading, the output buffer limits (hard at once,
// soft after soft_seconds) as replies are appended and from the cron, and the cron's resizing of
// reply and query buffers.
#include <algorithm>
#include <cstring>

#include "engine_internal.h"

namespace respd {

// Redis's check in readQueryFromClient: the pending request against client-query-buffer-limit,
// or 1 MiB before AUTH. Reading stops and the caller is told; TypeScript closes the client.
bool Engine::check_query_limit(Lane& L, Client& c) {
  uint64_t q = c.reader.pending();
  bool over = q > cfg_.query_buffer_limit || (c.unauth && q > cfg_.unauth_query_buffer_limit);
  if (!over) return false;
  L.record({kRecQueryLimit, c.slot, static_cast<uint32_t>(q & 0xffffffffu), static_cast<uint32_t>(q >> 32)});
  c.reader.stop();
  update_interest(c);
  return true;
}

// checkClientOutputBufferLimits: hard at once; soft only once held for more than soft_seconds.
bool Engine::output_over_limit(Client& c) {
  if (c.limit.hard == 0 && c.limit.soft == 0) return false;
  uint64_t used = c.out.block_memory();
  if (used == 0) return false;
  bool hard = c.limit.hard && used >= c.limit.hard;
  bool soft = c.limit.soft && used >= c.limit.soft;
  double now_s = static_cast<double>(static_cast<int64_t>(now_ms_ / 1000));
  if (soft) {
    if (c.soft_since_s == 0) {
      c.soft_since_s = now_s;
      soft = false;
    } else if (now_s - c.soft_since_s <= static_cast<double>(c.limit.soft_seconds)) {
      soft = false;
    }
  } else {
    c.soft_since_s = 0;
  }
  return hard || soft;
}

void Engine::trip_output_limit(Client& c, bool report) {
  uint64_t used = c.out.block_memory();
  // The counters keep the figures of the decision (omem, oll for the log line and CLIENT LIST);
  // they are not updated again for a client whose output is dropped.
  update_counters(c);
  // Nothing pending is sent, not even the static buffer (freeClientAsync drops it in Redis too).
  c.out.clear();
  c.output_dropped = true;
  c.reader.stop();
  c.want_write = false;
  update_interest(c);
  if (report)
    push_record({kRecOutputLimit, c.slot, static_cast<uint32_t>(used & 0xffffffffu), static_cast<uint32_t>(used >> 32)});
}

std::vector<uint32_t> Engine::check_output_limits() {
  now_ms_ = wall_ms();
  std::vector<uint32_t> tripped;
  for (auto& cp : slots_) {
    if (!cp || !cp->alive || cp->output_dropped) continue;
    if (output_over_limit(*cp)) {
      trip_output_limit(*cp, false);
      tripped.push_back(cp->slot);
    }
  }
  return tripped;
}

void Engine::set_output_limit(uint32_t slot, const OutputLimit& limit) {
  if (Client* c = live(slot)) c->limit = limit;
}

void Engine::set_write_cap(uint32_t slot, bool capped) {
  if (Client* c = live(slot)) c->write_capped = capped;
}

bool Engine::resize_reply_buffer(uint32_t slot, size_t size) {
  Client* c = live(slot);
  if (!c || !c->out.resize_static(size)) return false;
  update_counters(*c);
  return true;
}

void Engine::reset_reply_peak(uint32_t slot) {
  Client* c = live(slot);
  if (!c) return;
  c->out.reset_peak();
  update_counters(*c);
}

// clientsCronResizeQueryBuffer over every client holding a private query buffer (see
// RequestReader::resize), and the transport's own receive buffers of idle clients; idle means no
// interaction for `idle_ms`.
size_t Engine::shrink_query_buffers(double idle_ms) {
  size_t released = 0;
  double now = wall_ms();
  for (auto& cp : slots_) {
    if (!cp || !cp->alive) continue;
    bool idle = now - cp->last_interaction > idle_ms;
    if (idle && cp->conn) released += cp->conn->release_idle_buffers();
    if (!cp->reader.holds_buffer()) continue;
    released += cp->reader.resize(idle);
    update_counters(*cp);
  }
  return released;
}

}  // namespace respd
