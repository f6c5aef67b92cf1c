// The bus envelope: who published a message, in which incarnation, with which sequence number.
// Pure (encode/decode over bytes), so it is unit-tested and fuzzable without Redis.
//
//   "wsr1 " node_id ' ' epoch ' ' seq '\n' payload          (epoch and seq in decimal)
//
// node_id is [A-Za-z0-9._-]{1,64} (config rule), so a space ends it. The epoch is a random
// 64-bit number drawn when the node starts: a node restarted under the same node_id starts a
// new sequence instead of looking like a huge gap or a replay. seq counts from 1 per
// (publisher, channel), so a receiver can tell a lost message (seq jumped) from a channel it
// simply joined late (first message seen: no gap is claimed).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wsrelay::cluster {

struct Envelope {
  std::string_view node_id;
  uint64_t epoch = 0;
  uint64_t seq = 0;
  std::string_view payload;
};

// Appends the encoded message to `out`.
void encode_envelope(std::string& out, std::string_view node_id, uint64_t epoch, uint64_t seq,
                     std::string_view payload);

// False when `bytes` is not an envelope (another program publishing on our channels, or a
// version we do not speak). Views point into `bytes`.
bool decode_envelope(std::string_view bytes, Envelope& out);

}  // namespace wsrelay::cluster
