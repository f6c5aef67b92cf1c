// Close code rules (RFC 6455 §7.4).
#include "ws/close_code.hpp"

namespace wsrelay::ws {

bool is_valid_close_code(uint16_t code) {
  // §7.4.1 defines 1000-1011; 1004 is reserved, and 1005/1006/1015 are "MUST NOT be set as a
  // status code in a Close control frame by an endpoint". 1012-1014 were registered with IANA
  // later (service restart, try again later, bad gateway) and are sent by real servers.
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  // §7.4.2: 3000-3999 are registered with IANA for libraries and frameworks, 4000-4999 are for
  // private use. Everything else (0-999, 1016-2999 reserved for future RFCs, 5000+) is invalid.
  return code >= 3000 && code <= 4999;
}

}  // namespace wsrelay::ws
