// libFuzzer entry point for the HTTP request-head parser and the upgrade check; the properties
// are in http_check.hpp.
#include <cstddef>
#include <cstdint>

#include "http_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return wsrelay::fuzz::fail_if(wsrelay::fuzz::check_http({data, size}), "http");
}
