// split_list_items: commas and whitespace separate, empty items vanish.
#include "common/list_items.hpp"

#include <doctest/doctest.h>

using wsrelay::common::split_list_items;

TEST_CASE("list items: separators and empties") {
  using List = std::vector<std::string>;
  CHECK(split_list_items("") == List{});
  CHECK(split_list_items(" ,\t,\r\n ") == List{});
  CHECK(split_list_items("a") == List{"a"});
  CHECK(split_list_items("a,b") == List{"a", "b"});
  CHECK(split_list_items(" a ,, b\tc\nd ") == List{"a", "b", "c", "d"});
  CHECK(split_list_items("10.0.0.0/8,::1") == List{"10.0.0.0/8", "::1"});
}
