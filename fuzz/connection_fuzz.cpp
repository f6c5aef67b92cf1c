// libFuzzer entry point for the whole connection state machine; the properties are in
// connection_check.hpp.
#include <cstddef>
#include <cstdint>

#include "connection_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return wsrelay::fuzz::fail_if(wsrelay::fuzz::check_connection({data, size}), "connection");
}
