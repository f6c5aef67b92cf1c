// libFuzzer entry point for the JSON protocol and dispatcher; the properties are in
// json_check.hpp.
#include <cstddef>
#include <cstdint>

#include "json_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return wsrelay::fuzz::fail_if(wsrelay::fuzz::check_json({data, size}), "json");
}
