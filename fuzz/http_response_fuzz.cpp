// libFuzzer entry point for the client's HTTP/1.1 response parser; the properties are in
// http_response_check.hpp.
#include <cstddef>
#include <cstdint>

#include "http_response_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return wsrelay::fuzz::fail_if(wsrelay::fuzz::check_http_response({data, size}), "http_response");
}
