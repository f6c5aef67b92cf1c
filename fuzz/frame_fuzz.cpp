// libFuzzer entry point for the frame parser and message reader; the properties are in
// frame_check.hpp.
#include <cstddef>
#include <cstdint>

#include "frame_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return wsrelay::fuzz::fail_if(wsrelay::fuzz::check_frames({data, size}), "frame");
}
