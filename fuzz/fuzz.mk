# Builds the libFuzzer harnesses; run through fuzz/build.sh (`make fuzz`), not directly.
#
#   make -f fuzz/fuzz.mk MODE=fuzz      build/fuzz/<surface>_fuzz      ASan + UBSan + libFuzzer
#   make -f fuzz/fuzz.mk MODE=coverage  build/fuzz/cov/<surface>_fuzz  llvm source coverage
#
# The library sources are compiled here with clang (not the gcc-built build/libwsrelay.a) and
# gathered in an archive, so each harness links only the objects it uses and a new src/ file
# joins without editing this file. Harness files are built with -Werror; library files warn
# only, so a clang warning in someone's new file cannot stop a fuzzing campaign (the CI clang
# build is where those fail).

CXX   ?= clang++
MODE  ?= fuzz
ROOT  := build/fuzz

COMMON := -std=c++20 -g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -Iinclude -Isrc -Ifuzz \
          -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align \
          -Woverloaded-virtual $(FUZZ_CXXFLAGS)

ifeq ($(MODE),coverage)
OUT      := $(ROOT)/cov
LIBFLAGS := $(COMMON) -fprofile-instr-generate -fcoverage-mapping
LINK     := -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping
else
OUT      := $(ROOT)
LIBFLAGS := $(COMMON) -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
            -fsanitize-ignorelist=fuzz/ubsan_ignore.txt
LINK     := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
endif
HARNESSFLAGS := $(LIBFLAGS) -Werror
LDLIBS := -lssl -lcrypto -lhiredis -lz

LIB_SRCS  := $(shell find src -name '*.cpp' ! -name main.cpp | sort)
LIB_OBJS  := $(LIB_SRCS:%.cpp=$(OUT)/obj/%.o)
HARNESSES := $(patsubst fuzz/%.cpp,$(OUT)/%,$(wildcard fuzz/*_fuzz.cpp))

.PHONY: all
all: $(HARNESSES)
# Keep the harness objects: they are intermediate in the pattern chain, and make would delete
# (and later rebuild) them.
.SECONDARY:

# Make tracks files, not flags or deletions. Two stamps fill the gap, each rewritten only when
# its content changes: the compiler and flags (FUZZ_CXXFLAGS=-D... must rebuild every object,
# or a campaign silently runs the old harness), and the list of library sources (a src/ file
# deleted or renamed in a refactor must leave the archive, or its stale object can still be
# linked in place of the new code).
FLAGS_STAMP := $(OUT)/flags.stamp
SRCS_STAMP  := $(OUT)/sources.stamp
define update_stamp
$(shell mkdir -p $(OUT) && printf '%s\n' '$(2)' | cmp -s - $(1) || printf '%s\n' '$(2)' >$(1))
endef
$(call update_stamp,$(FLAGS_STAMP),$(CXX) $(LIBFLAGS) | $(LINK))
$(call update_stamp,$(SRCS_STAMP),$(LIB_SRCS))

$(OUT)/obj/src/%.o: src/%.cpp $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(LIBFLAGS) -MMD -MP -c $< -o $@

$(OUT)/obj/fuzz/%.o: fuzz/%.cpp $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(HARNESSFLAGS) -MMD -MP -c $< -o $@

$(OUT)/libwsrelay_fuzz.a: $(LIB_OBJS) $(SRCS_STAMP)
	@rm -f $@
	ar rcs $@ $(LIB_OBJS)

$(OUT)/%_fuzz: $(OUT)/obj/fuzz/%_fuzz.o $(OUT)/libwsrelay_fuzz.a
	$(CXX) $(LINK) -o $@ $< $(OUT)/libwsrelay_fuzz.a $(LDLIBS)

-include $(shell find $(OUT)/obj -name '*.d' 2>/dev/null)
