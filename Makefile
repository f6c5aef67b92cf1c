# wsrelay — build, run and test.
#
# Verbs: make (all), make run [ARGS="--port 8081"], make test, make test-asan, make fuzz,
#        make fuzz-smoke, make bench, make install, make uninstall, make clean, make format.
# Install paths: DESTDIR (staging root), PREFIX (/usr/local), SYSCONFDIR (/etc),
# SYSTEMD_UNIT_DIR ($(PREFIX)/lib/systemd/system, on systemd's search path).
# Sources are found by wildcard, so a new .cpp under src/ joins the library without
# editing this file; tests/unit/**/*_test.cpp join the unit-test binary the same way.

CXX      ?= g++
BUILD    ?= build
PREFIX   ?= /usr/local
SYSCONFDIR ?= /etc
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
STRIP    ?= strip
SAN      ?=
OPT      ?= -O2

# Debian packages the build needs; installed automatically when running as root.
DEB_PACKAGES := libssl-dev rapidjson-dev doctest-dev libhiredis-dev zlib1g-dev

CXXFLAGS_BASE := -std=c++20 $(OPT) -g -Wall -Wextra -Werror -Wpedantic -Wshadow \
                 -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual \
                 -fno-plt -D_GNU_SOURCE -Iinclude -Isrc
ifeq ($(SAN),1)
CXXFLAGS_BASE += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS_SAN   := -fsanitize=address,undefined
endif
CXXFLAGS ?=
CXXFLAGS := $(CXXFLAGS_BASE) $(CXXFLAGS)
LDLIBS   := -lssl -lcrypto -lhiredis -lz

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

.PHONY: all run test test-asan unit integration fuzz fuzz-smoke bench install uninstall clean format deps

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
# ARGS go to `wsrelay serve`: make run ARGS="--port 8081 --env-file ../app/.env". The server
# logs the test page URL and whether the backend API is on.
run: $(BUILD)/wsrelay
	./$(BUILD)/wsrelay serve $(ARGS)

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

# ---- install ----------------------------------------------------------------------------------
# A stripped binary, the web files it serves, the systemd unit (ExecStart pointing at this
# PREFIX), the example config, and the PM2/Supervisor/nginx recipes to copy from. Never touches
# a real config (wsrelay.conf, wsrelay.env): uninstall removes exactly what install put.
INSTALLED_WEB    := $(notdir $(wildcard web/*))
INSTALLED_DEPLOY := ecosystem.config.js wsrelay.supervisor.conf nginx.conf
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/wsrelay/web \
	  $(DESTDIR)$(PREFIX)/share/wsrelay/deploy $(DESTDIR)$(SYSCONFDIR)/wsrelay $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	install -m 0755 -s --strip-program=$(STRIP) $(BUILD)/wsrelay $(DESTDIR)$(PREFIX)/bin/wsrelay
	install -m 0644 $(addprefix web/,$(INSTALLED_WEB)) $(DESTDIR)$(PREFIX)/share/wsrelay/web/
	install -m 0644 $(addprefix deploy/,$(INSTALLED_DEPLOY)) $(DESTDIR)$(PREFIX)/share/wsrelay/deploy/
	install -m 0644 deploy/wsrelay.conf.example $(DESTDIR)$(SYSCONFDIR)/wsrelay/wsrelay.conf.example
	sed -e 's|/usr/local/bin/wsrelay|$(PREFIX)/bin/wsrelay|g' -e 's|/etc/wsrelay/|$(SYSCONFDIR)/wsrelay/|g' deploy/wsrelay.service > $(DESTDIR)$(SYSTEMD_UNIT_DIR)/wsrelay.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/wsrelay.service
	@echo "installed $(PREFIX)/bin/wsrelay; then: systemctl daemon-reload && systemctl enable --now wsrelay"
	@echo "  (settings: $(SYSCONFDIR)/wsrelay/wsrelay.env, see the comments in $(SYSTEMD_UNIT_DIR)/wsrelay.service)"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/wsrelay $(DESTDIR)$(SYSTEMD_UNIT_DIR)/wsrelay.service \
	  $(DESTDIR)$(SYSCONFDIR)/wsrelay/wsrelay.conf.example \
	  $(addprefix $(DESTDIR)$(PREFIX)/share/wsrelay/web/,$(INSTALLED_WEB)) \
	  $(addprefix $(DESTDIR)$(PREFIX)/share/wsrelay/deploy/,$(INSTALLED_DEPLOY))
	rmdir $(DESTDIR)$(PREFIX)/share/wsrelay/web $(DESTDIR)$(PREFIX)/share/wsrelay/deploy \
	  $(DESTDIR)$(PREFIX)/share/wsrelay 2>/dev/null || true
	rmdir $(DESTDIR)$(SYSCONFDIR)/wsrelay 2>/dev/null || true
	@echo "removed wsrelay from $(DESTDIR)$(PREFIX); your own files in $(SYSCONFDIR)/wsrelay (if any) are kept"

format:
	clang-format -i $$(find src include tests/unit fuzz tools examples bench -name '*.[ch]pp' 2>/dev/null)

clean:
	rm -rf build
