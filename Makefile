# wsrelay — build, run and test.
#
# Verbs: make (all), make run, make test, make test-asan, make fuzz, make fuzz-smoke,
#        make bench, make install, make clean, make format.
# Sources are found by wildcard, so a new .cpp under src/ joins the library without
# editing this file; tests/unit/**/*_test.cpp join the unit-test binary the same way.

CXX      ?= g++
BUILD    ?= build
PREFIX   ?= /usr/local
SAN      ?=
OPT      ?= -O2

# Debian packages the build needs; installed automatically when running as root.
DEB_PACKAGES := libssl-dev rapidjson-dev doctest-dev zlib1g-dev

CXXFLAGS_BASE := -std=c++20 $(OPT) -g -Wall -Wextra -Werror -Wpedantic -Wshadow \
                 -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual \
                 -fno-plt -D_GNU_SOURCE -Iinclude -Isrc
ifeq ($(SAN),1)
CXXFLAGS_BASE += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS_SAN   := -fsanitize=address,undefined
endif
CXXFLAGS ?=
CXXFLAGS := $(CXXFLAGS_BASE) $(CXXFLAGS)
LDLIBS   := -lssl -lcrypto -lz

LIB_SRCS   := $(shell find src -name '*.cpp' ! -name main.cpp | sort)
LIB_OBJS   := $(LIB_SRCS:%.cpp=$(BUILD)/obj/%.o)
MAIN_OBJ   := $(BUILD)/obj/src/main.o
TEST_SRCS  := $(shell find tests/unit -name '*.cpp' 2>/dev/null | sort)
TEST_OBJS  := $(TEST_SRCS:%.cpp=$(BUILD)/obj/%.o)
EXAMPLE_SRCS := $(wildcard examples/*.cpp)
EXAMPLES   := $(EXAMPLE_SRCS:examples/%.cpp=$(BUILD)/examples/%)
TOOL_DIRS  := $(wildcard tools/*/)
TOOLS      := $(foreach d,$(TOOL_DIRS),$(if $(wildcard $(d)*.cpp),$(BUILD)/$(notdir $(d:/=))))

DEPS_STAMP := $(BUILD)/.deps-ok

.PHONY: all run test test-asan unit integration fuzz fuzz-smoke bench install clean format deps

all: $(BUILD)/wsrelay $(BUILD)/libwsrelay.a $(EXAMPLES) $(TOOLS)

# ---- dependencies ---------------------------------------------------------------------------
deps: $(DEPS_STAMP)
$(DEPS_STAMP):
	@mkdir -p $(BUILD)
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "wsrelay: installing missing Debian packages:$$missing"; \
	    (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing || exit 1; \
	  else \
	    echo "wsrelay: missing Debian packages:$$missing"; \
	    echo "run:  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
	@touch $@

# ---- compile --------------------------------------------------------------------------------
$(BUILD)/obj/%.o: %.cpp | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libwsrelay.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/wsrelay: $(MAIN_OBJ) $(BUILD)/libwsrelay.a
	$(CXX) $(LDFLAGS_SAN) -o $@ $(MAIN_OBJ) $(BUILD)/libwsrelay.a $(LDLIBS)

$(BUILD)/unit_tests: $(TEST_OBJS) $(BUILD)/libwsrelay.a
	$(CXX) $(LDFLAGS_SAN) -o $@ $(TEST_OBJS) $(BUILD)/libwsrelay.a $(LDLIBS)

$(BUILD)/examples/%: examples/%.cpp $(BUILD)/libwsrelay.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $< $(BUILD)/libwsrelay.a $(LDLIBS)

# Each tools/<name>/ folder of .cpp files is one program, linked with the library.
define TOOL_RULE
$(BUILD)/$(1): $(patsubst %.cpp,$(BUILD)/obj/%.o,$(wildcard tools/$(1)/*.cpp)) $(BUILD)/libwsrelay.a
	$(CXX) $(LDFLAGS_SAN) -o $$@ $$^ $(LDLIBS)
endef
$(foreach d,$(TOOL_DIRS),$(if $(wildcard $(d)*.cpp),$(eval $(call TOOL_RULE,$(notdir $(d:/=))))))

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- run and test ---------------------------------------------------------------------------
run: $(BUILD)/wsrelay
	./$(BUILD)/wsrelay serve

unit: $(BUILD)/unit_tests
	./$(BUILD)/unit_tests

# The whole suite: unit tests, then the real binary driven by real clients.
# tests/run.sh prints one closing line 'N passed, N failed'.
test: all $(BUILD)/unit_tests
	@BUILD=$(BUILD) bash tests/run.sh

test-asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 OPT=-O1 test

# ---- fuzzing (clang + libFuzzer) --------------------------------------------------------------
fuzz:
	@bash fuzz/build.sh

fuzz-smoke: fuzz
	@bash fuzz/smoke.sh

# ---- benchmarks ----------------------------------------------------------------------------
bench: all
	@bash bench/run.sh

# ---- install --------------------------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/wsrelay/web $(DESTDIR)/etc/wsrelay
	install -m 0755 $(BUILD)/wsrelay $(DESTDIR)$(PREFIX)/bin/wsrelay
	install -m 0644 web/* $(DESTDIR)$(PREFIX)/share/wsrelay/web/
	@if [ -f deploy/wsrelay.conf.example ]; then \
	  install -m 0644 deploy/wsrelay.conf.example $(DESTDIR)/etc/wsrelay/wsrelay.conf.example; fi

format:
	clang-format -i $$(find src include tests/unit fuzz tools examples bench -name '*.[ch]pp' 2>/dev/null)

clean:
	rm -rf build
