// libFuzzer entry point for the Pusher front end (message parser, subscriptions, presence,
// client events) beside the JSON protocol; the properties are in pusher_check.hpp.
#include <cstddef>
#include <cstdint>

#include "pusher_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return wsrelay::fuzz::fail_if(wsrelay::fuzz::check_pusher({data, size}), "pusher");
}
