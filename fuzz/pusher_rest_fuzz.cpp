// libFuzzer entry point for the Pusher REST request signature check; the properties are in
// pusher_rest_check.hpp.
#include <cstddef>
#include <cstdint>

#include "pusher_rest_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return wsrelay::fuzz::fail_if(wsrelay::fuzz::check_pusher_rest({data, size}), "pusher_rest");
}
