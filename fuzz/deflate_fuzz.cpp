// libFuzzer entry point for permessage-deflate (compressor, inflater, compressed messages in
// the reader), differential against zlib used directly; the properties are in deflate_check.hpp.
#include <cstddef>
#include <cstdint>

#include "deflate_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return wsrelay::fuzz::fail_if(wsrelay::fuzz::check_deflate({data, size}), "deflate");
}
