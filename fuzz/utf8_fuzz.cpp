// libFuzzer entry point for the UTF-8 validator; the properties are in utf8_check.hpp.
#include <cstddef>
#include <cstdint>

#include "utf8_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return wsrelay::fuzz::fail_if(wsrelay::fuzz::check_utf8({data, size}), "utf8");
}
