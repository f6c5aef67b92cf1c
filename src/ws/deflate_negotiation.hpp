// permessage-deflate negotiation (RFC 7692 §5-§7): the client's Sec-WebSocket-Extensions
// offers in, the parameters both sides will use and the exact response header value out.
//
// Pure: no allocation except the response text, no I/O. The header grammar is RFC 6455 §9.1:
//
//   extension-list  = 1#extension
//   extension       = extension-token *( ";" extension-param )
//   extension-param = token [ "=" (token | quoted-string) ]   ; quoted value must be a token
//
// Several Sec-WebSocket-Extensions headers are one comma-joined list (RFC 9110 §5.3), and a
// client may offer permessage-deflate several times in order of preference (§5). The server
// accepts the FIRST offer it can accept and declines the rest. §5.1 lists when an offer must
// be declined: a parameter not defined for offers, an invalid value, a parameter given twice,
// or a configuration the server does not support. Declining is never an error: the connection
// simply goes on without compression. A header that breaks the §9.1 grammar is declined as a
// whole (we cannot tell where its offers begin and end) — again no compression, no failure,
// which is what every mainstream server does and what the RFC's "decline" wording allows.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace wsrelay::ws {

// What the server is willing to do (from configuration).
struct DeflatePolicy {
  bool enabled = false;
  // Shared mode: one compressor per loop, so the server never keeps a sliding window for a
  // connection (server_no_context_takeover), and the client is asked not to keep one either
  // (client_no_context_takeover) so that no inflate state outlives a message.
  bool force_no_context_takeover = true;
  // Largest LZ77 window (bits) the server uses for its compressor, and the window it asks
  // the client to stay within when the client allows that (client_max_window_bits). 9..15:
  // zlib cannot compress raw deflate with an 8-bit window.
  uint8_t window_bits = 15;
};

// The agreed parameters of one connection.
struct DeflateParams {
  bool server_no_context_takeover = false;  // our compressor resets after every message
  bool client_no_context_takeover = false;  // the client's compressor resets after every message
  uint8_t server_window_bits = 15;          // window our compressor uses (9..15)
  uint8_t client_window_bits = 15;          // window the client promised to stay within (8..15)
  bool operator==(const DeflateParams&) const = default;
};

enum class NegotiationOutcome : uint8_t {
  kNotOffered,  // no permessage-deflate offer (or compression disabled)
  kDeclined,    // offered, but no offer acceptable (or the header is malformed)
  kAccepted,
};

struct DeflateNegotiation {
  NegotiationOutcome outcome = NegotiationOutcome::kNotOffered;
  DeflateParams params;      // meaningful when kAccepted
  std::string response;      // the Sec-WebSocket-Extensions value to send back when kAccepted
  std::string_view decline;  // why the last offer was declined (for logs and tests)
};

// `headers` are the values of every Sec-WebSocket-Extensions header, in request order.
DeflateNegotiation negotiate_deflate(std::span<const std::string_view> headers,
                                     const DeflatePolicy& policy);

// The value of the response header for accepted parameters. The window sizes are stated only
// when the offer carried the parameter: §7.1.2.2 forbids client_max_window_bits in a response
// to an offer without it, and a client that did not limit our window needs no number.
std::string deflate_response(const DeflateParams& params, bool state_server_window,
                             bool state_client_window);

}  // namespace wsrelay::ws
