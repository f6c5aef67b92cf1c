// libFuzzer entry point for the configuration loader; the properties are in config_check.hpp.
#include <cstddef>
#include <cstdint>

#include "config_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return wsrelay::fuzz::fail_if(wsrelay::fuzz::check_config({data, size}), "config");
}
