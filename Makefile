# coremon: plain GNU make, out-of-tree build in build/.
#   make            build coremond and the test tools
#   make run        install missing packages, build, run coremond standalone
#   make check      install missing packages, build with -Werror, run every test
#   make check-contrib  the contrib/ integrations against the real tools
#   make check-stress   check and check-contrib beside two busy loops
#                       (tests/stress.sh; STRESS_BURNERS=N for N loops)
#   make bench      performance ratios (see README)
#   make fuzz       build and run the libFuzzer targets (FUZZ_SECONDS each)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
MIBDIR     ?= $(PREFIX)/share/snmp/mibs
SYSCONFDIR ?= /etc/snmp
B          ?= build
NPROC      := $(shell nproc 2>/dev/null || echo 2)
SHARED     ?= $(abspath ../shared)

CC       ?= cc
# The core (src/) links these; the agent adds net-snmp.
CORE_PKGS = libpcap libmnl sqlite3 libpq
PKGS      = netsnmp-agent $(CORE_PKGS)
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wvla
ifeq ($(WERROR),1)
WARN     += -Werror
endif
OPT      ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -Isrc -MMD -MP
CFLAGS   += -std=c11 $(OPT) $(WARN)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CORE_CFLAGS := $(shell pkg-config --cflags $(CORE_PKGS) 2>/dev/null)
CORE_LIBS  := $(shell pkg-config --libs $(CORE_PKGS) 2>/dev/null)

SRC_C     := $(sort $(wildcard src/*.c src/*/*.c))
AGENT_C   := $(sort $(wildcard agent/*.c))
UNIT_C    := $(sort $(wildcard tests/unit/test_*.c))
TOOL_C    := $(sort $(wildcard tests/tools/*.c))
FUZZ_C    := $(sort $(wildcard tests/fuzz/fuzz_*.c))

SRC_O     := $(SRC_C:%.c=$(B)/%.o)
# Generated sources: the history schema built in (contrib/history/).
GEN_O     := $(B)/gen/histdb_schema.o
AGENT_O   := $(AGENT_C:%.c=$(B)/%.o)
UNIT_BIN  := $(UNIT_C:tests/unit/%.c=$(B)/tests/%)
TOOL_BIN  := $(TOOL_C:tests/tools/%.c=$(B)/tools/%)
LIBCORE   := $(B)/libcoremon.a

all: $(B)/coremond $(B)/coremon-report $(B)/coremon-top $(UNIT_BIN) $(TOOL_BIN)

# coremon-top (top/): an SNMP client of coremond, with ncurses; it links
# no core module.
TOP_C     := $(sort $(wildcard top/*.c))
TOP_O     := $(TOP_C:%.c=$(B)/%.o)
TOP_CFLAGS := $(shell pkg-config --cflags netsnmp ncursesw 2>/dev/null)
TOP_LIBS  := $(shell pkg-config --libs netsnmp ncursesw 2>/dev/null) -lm

$(B)/top/%.o: top/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itop $(TOP_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/coremon-top: $(TOP_O)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TOP_O) $(TOP_LIBS)

# Its unit test: the formatting and the grid, with lib/units to read the
# rates back.
$(B)/tests/test_top: tests/unit/test_top.c $(B)/top/tfmt.o $(B)/top/grid.o $(LIBCORE) tests/unit/check.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit -Itop $(CFLAGS) -o $@ $< $(B)/top/tfmt.o $(B)/top/grid.o \
		$(LIBCORE) $(CORE_LIBS) -lpthread -lz -lm

$(B)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CORE_CFLAGS) $(CFLAGS) -c -o $@ $<

# contrib/history/schema.sql as one C string, line by line, with \ and "
# escaped (histdb_int.h's histdb_schema_sql).
$(B)/gen/histdb_schema.c: contrib/history/schema.sql
	@mkdir -p $(dir $@)
	awk 'BEGIN { print "/* Generated from contrib/history/schema.sql by the Makefile. */"; \
		print "#include \"store/histdb_int.h\""; \
		print "const char histdb_schema_sql[] =" } \
		{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); print "\t\"" $$0 "\\n\"" } \
		END { print ";" }' $< >$@.tmp && mv $@.tmp $@

$(B)/gen/%.o: $(B)/gen/%.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# agent/ is the only place net-snmp's headers are seen.
$(B)/agent/%.o: agent/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Iagent $(PKG_CFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBCORE): $(SRC_O) $(GEN_O)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/coremond: $(AGENT_O) $(LIBCORE)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(AGENT_O) $(LIBCORE) $(PKG_LIBS) -lpthread -lz

# coremon-report (report/): the history database as a static web site.
REPORT_C  := $(sort $(wildcard report/*.c))
REPORT_O  := $(REPORT_C:%.c=$(B)/%.o)
REPORT_PKGS := libpsl geoip
REPORT_CFLAGS := $(shell pkg-config --cflags $(REPORT_PKGS) 2>/dev/null)
REPORT_LIBS := $(shell pkg-config --libs $(REPORT_PKGS) 2>/dev/null)

$(B)/report/%.o: report/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Ireport $(CORE_CFLAGS) $(REPORT_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/coremon-report: $(REPORT_O) $(LIBCORE)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(REPORT_O) $(LIBCORE) $(CORE_LIBS) \
		$(REPORT_LIBS) -lm

# Every unit test links the shared fixtures (tests/unit/fixture.c).
FIXTURE_O := $(B)/tests/fixture.o

$(FIXTURE_O): tests/unit/fixture.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(FIXTURE_O) $(LIBCORE) tests/unit/check.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) -o $@ $< $(FIXTURE_O) $(LIBCORE) \
		$(CORE_LIBS) -lpthread -lz

$(B)/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIBCORE) \
		$(CORE_LIBS) -lpthread -lz

$(TOOL_BIN): $(LIBCORE)

# coremon-report's escaping and days, with its html and rdb objects.
$(B)/tests/test_report_html: tests/unit/test_report_html.c $(FIXTURE_O) \
		$(B)/report/html.o $(B)/report/rdb.o $(LIBCORE) tests/unit/check.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit -Ireport $(CFLAGS) $(LDFLAGS) -o $@ $< $(FIXTURE_O) \
		$(B)/report/html.o $(B)/report/rdb.o $(LIBCORE) $(CORE_LIBS) -lm -lpthread -lz

# Unit tests again under AddressSanitizer and UBSan, in their own tree.
asan:
	$(MAKE) B=$(B)/asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" $(B)/asan/libcoremon.a \
		$(UNIT_C:tests/unit/%.c=$(B)/asan/tests/%)

deps:
	sh contrib/deps.sh

run: deps
	$(MAKE) all
	B=$(B) SHARED=$(SHARED) sh contrib/run.sh

check: deps
	$(MAKE) -j$(NPROC) WERROR=1 all
	$(MAKE) -j$(NPROC) WERROR=1 asan
	B=$(B) SHARED=$(SHARED) sh tests/run-all.sh

# The integrations of contrib/, each run with the real tool (installed
# from Debian when missing) against a real snmpd and coremond.
check-contrib: deps
	$(MAKE) all
	B=$(B) SHARED=$(SHARED) sh tests/contrib/run.sh

# What .ci/run runs, with busy processes beside it (tests/stress.sh).
check-stress:
	B=$(B) SHARED=$(SHARED) MAKE="$(MAKE)" sh tests/stress.sh

bench: all
	B=$(B) SHARED=$(SHARED) sh tests/bench.sh

# libFuzzer targets, built with clang; each runs FUZZ_SECONDS (default 300).
FUZZ_SECONDS ?= 300
fuzz: $(B)/gen/histdb_schema.c
	@mkdir -p $(B)/fuzz
	for f in $(FUZZ_C); do \
		n=$$(basename $$f .c); \
		clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
			-o $(B)/fuzz/$$n $$f $(SRC_C) $(B)/gen/histdb_schema.c $(CORE_CFLAGS) $(CORE_LIBS) -lpthread -lz || exit 1; \
		mkdir -p $(B)/fuzz/$$n.corpus; \
		$(B)/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) $(B)/fuzz/$$n.corpus || exit 1; \
	done

install: $(B)/coremond $(B)/coremon-report $(B)/coremon-top
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MIBDIR) \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SYSCONFDIR)
	install -m 755 $(B)/coremond $(DESTDIR)$(SBINDIR)/coremond
	install -m 644 mibs/COREMON-MIB.txt $(DESTDIR)$(MIBDIR)/COREMON-MIB.txt
	install -m 644 contrib/man/coremond.8 $(DESTDIR)$(MANDIR)/man8/coremond.8
	install -m 644 contrib/man/coremon.conf.5 $(DESTDIR)$(MANDIR)/man5/coremon.conf.5
	install -m 644 contrib/coremon.conf.example $(DESTDIR)$(SYSCONFDIR)/coremon.conf.example
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(B)/coremon-report $(DESTDIR)$(BINDIR)/coremon-report
	install -m 644 contrib/man/coremon-report.1 $(DESTDIR)$(MANDIR)/man1/coremon-report.1
	install -m 755 $(B)/coremon-top $(DESTDIR)$(BINDIR)/coremon-top
	install -m 644 contrib/man/coremon-top.1 $(DESTDIR)$(MANDIR)/man1/coremon-top.1

clean:
	rm -rf $(B)

.PHONY: all asan deps run check check-contrib check-stress bench fuzz install clean

-include $(SRC_O:.o=.d) $(GEN_O:.o=.d) $(AGENT_O:.o=.d) $(TOP_O:.o=.d) $(UNIT_BIN:=.d) $(TOOL_BIN:=.d) \
	$(FIXTURE_O:.o=.d) $(REPORT_O:.o=.d)
