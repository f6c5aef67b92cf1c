#include "app/echo_application.hpp"

namespace wsrelay::app {

void EchoApplication::on_open(Peer& peer, const ConnectInfo& info) {
  (void)info;
  ++peer_count_;
  if (mode_ == Mode::kBroadcast) peers_.insert(&peer);
}

void EchoApplication::on_message(Peer& peer, PayloadKind kind, std::span<const uint8_t> payload) {
  std::string_view bytes(reinterpret_cast<const char*>(payload.data()), payload.size());
  if (mode_ == Mode::kEcho) {
    peer.send(kind, bytes);
    return;
  }
  PreparedMessage prepared = host_.prepare(kind, bytes);
  for (Peer* each : peers_) {
    if (!each->is_closing()) each->send_prepared(prepared);
  }
}

void EchoApplication::on_close(Peer& peer, uint16_t code, std::string_view reason) {
  (void)code;
  (void)reason;
  --peer_count_;
  if (mode_ == Mode::kBroadcast) peers_.erase(&peer);
}

}  // namespace wsrelay::app
