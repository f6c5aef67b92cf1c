// StringMap<V>: an unordered_map keyed by std::string that is looked up with a string_view
// without building a std::string (C++20 heterogeneous lookup). The bus looks up a channel per
// received message; with per-room channels a node may hold tens of thousands of them.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace wsrelay::cluster {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

}  // namespace wsrelay::cluster
