#include "cluster/envelope.hpp"

#include <charconv>

namespace wsrelay::cluster {

namespace {
constexpr std::string_view kMagic = "wsr1 ";
constexpr size_t kMaxNodeId = 64;

bool take_number(std::string_view& text, char terminator, uint64_t& out) {
  const size_t end = text.find(terminator);
  if (end == 0 || end == std::string_view::npos || end > 20) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, out);
  if (ec != std::errc() || ptr != text.data() + end) return false;
  text.remove_prefix(end + 1);
  return true;
}
}  // namespace

void encode_envelope(std::string& out, std::string_view node_id, uint64_t epoch, uint64_t seq,
                     std::string_view payload) {
  char digits[24];
  out.reserve(out.size() + kMagic.size() + node_id.size() + 44 + payload.size());
  out += kMagic;
  out += node_id;
  out += ' ';
  out.append(digits, std::to_chars(digits, digits + sizeof digits, epoch).ptr);
  out += ' ';
  out.append(digits, std::to_chars(digits, digits + sizeof digits, seq).ptr);
  out += '\n';
  out += payload;
}

bool decode_envelope(std::string_view bytes, Envelope& out) {
  if (bytes.substr(0, kMagic.size()) != kMagic) return false;
  bytes.remove_prefix(kMagic.size());
  const size_t space = bytes.find(' ');
  if (space == 0 || space == std::string_view::npos || space > kMaxNodeId) return false;
  out.node_id = bytes.substr(0, space);
  for (char c : out.node_id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  bytes.remove_prefix(space + 1);
  if (!take_number(bytes, ' ', out.epoch) || !take_number(bytes, '\n', out.seq) || out.seq == 0)
    return false;
  out.payload = bytes;
  return true;
}

}  // namespace wsrelay::cluster
