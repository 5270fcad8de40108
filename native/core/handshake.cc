// Clients whose transport has a handshake or crossed wants (TLS): accept in steps, reads that
// need the socket writable and writes that need it readable, and bytes already decrypted inside
// the transport (connTypeProcessPendingData). The transport itself is behind Connection.
#include "engine_internal.h"

namespace respd {

// ---- transports with a handshake or crossed wants (TLS) --------------------------------------

// Events of a client whose transport is mid-handshake, or whose last read needed the socket
// writable or last write needed it readable (Redis's tlsHandleEvent).
void Engine::handle_transport_event(Client& c, uint32_t mask) {
  if (c.handshaking) {
    continue_handshake(c);
    return;
  }
  bool call_read = (mask & kPollReadable) || ((mask & kPollWritable) && c.read_wants_write);
  bool call_write = ((mask & kPollWritable) && c.want_write && !c.write_wants_read) ||
                    ((mask & kPollReadable) && c.write_wants_read);
  if (call_read) c.read_wants_write = false;
  if (call_write) c.write_wants_read = false;
  if (call_write && !write_client(*main_, c)) return;
  if (call_read) read_client(*main_, c);
  update_interest(c);
}

void Engine::continue_handshake(Client& c) {
  int r = c.conn->accept();
  if (r < 0) {
    handshake_failed(c);
    return;
  }
  if (r == 0) {
    update_interest(c);
    return;
  }
  c.handshaking = false;
  if (c.outgoing) push_record({kRecConnected, c.slot, 0, 0});
  update_interest(c);
  // Output queued during the handshake (protected mode's -DENIED) and a close waiting for it.
  if ((!c.out.empty() || c.close_after_reply) && !write_client(*main_, c)) return;
  if (c.conn->has_pending_data()) note_pending_data(*main_, c);
}

// clientAcceptHandler's failure path: Redis's line, then the client is freed.
void Engine::handshake_failed(Client& c) {
  if (c.outgoing) {  // the host logs a failed connect in its own words
    finish_close(c, kCloseHandshake, c.conn->last_errno());
    return;
  }
  std::string addr = c.conn->address(true);
  std::string laddr = c.conn->address(false);
  log(kLogWarning, "Error accepting a client connection: " + c.conn->error_text() + " (addr=" +
                       (addr.empty() ? "?:0" : addr) + " laddr=" + (laddr.empty() ? "?:0" : laddr) + ")");
  finish_close(c, kCloseHandshake, c.conn->last_errno());
}

void Engine::note_pending_data(Lane& L, Client& c) {
  if (c.in_pending_data) return;
  c.in_pending_data = true;
  (&L == main_ ? pending_data_ : L.pending_data).push_back(c.slot);
}

// connTypeProcessPendingData: one more read for each client whose transport already holds
// decrypted bytes; read_client lists it again while some remain.
void Engine::serve_pending_data() {
  if (pending_data_.empty()) return;
  serving_data_.swap(pending_data_);
  for (uint32_t slot : serving_data_) {
    Client* c = live(slot);
    if (!c || !c->in_pending_data) continue;
    c->in_pending_data = false;
    read_client(*main_, *c);
  }
  serving_data_.clear();
}

}  // namespace respd
