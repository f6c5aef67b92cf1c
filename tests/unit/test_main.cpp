// The doctest entry point for build/unit_tests; every tests/unit/**/*_test.cpp links into it.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
