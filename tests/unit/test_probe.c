/*
 * probe: configuration lines and their every error message, parsing of
 * crafted ICMP/ICMPv6 packets (foreign, truncated, wrong type, IPv4
 * options, unreachables), the engine's matching and statistics driven by
 * a fake clock, real probes to 127.0.0.1 and ::1, and the receive time of
 * a reply read late through the probe sockets themselves (probe_int.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "probe/probe.h"
#include "probe/probe_icmp.h"
#include "probe/probe_int.h"

#define T0	1000000000ULL		/* fake CLOCK_MONOTONIC, us */
#define W0	1700000000000000LL	/* fake CLOCK_REALTIME, us */
#define MS	1000ULL

/* Configuration */

static int
parse(const char *line, struct probe_config *pc, char *err, size_t len)
{
	err[0] = '\0';
	return probe_config_parse(line, NULL, 0, pc, err, len);
}

static void
expect_error(const char *line, const char *want)
{
	struct probe_config	pc;
	char			err[256];

	err[0] = '\0';
	CHECK(probe_config_parse(line, NULL, 0, &pc, err, sizeof(err)) == -1 &&
	    strcmp(err, want) == 0, "probe \"%s\" fails with: %s", line, want);
	if (strcmp(err, want) != 0)
		printf("#   got: %s\n", err);
}

static void
test_config_ok(void)
{
	struct probe_config	pc;
	char			err[256];
	static const uint8_t	lo4[4] = { 127, 0, 0, 1 };
	static const uint8_t	lo6[16] = { [15] = 1 };

	CHECK(parse("gw 127.0.0.1", &pc, err, sizeof(err)) == 0,
	    "\"gw 127.0.0.1\" parses (%s)", err);
	CHECK(strcmp(pc.pc_name, "gw") == 0 && strcmp(pc.pc_host,
	    "127.0.0.1") == 0, "name and host are kept as written");
	CHECK(pc.pc_addr.pa_family == AF_INET && pc.pc_addr.pa_len == 4 &&
	    memcmp(pc.pc_addr.pa_bytes, lo4, 4) == 0,
	    "127.0.0.1 is an IPv4 address 127.0.0.1");
	CHECK_U64(pc.pc_interval, 0, "interval left out is 0: the engine's "
	    "default (the window interval)");
	CHECK_U64(pc.pc_timeout, 30, "timeout left out is the paper's 30 s");

	CHECK(parse("six  ::1\ttimeout 2 interval 86400 ", &pc, err,
	    sizeof(err)) == 0, "\"six ::1 timeout 2 interval 86400\" parses, "
	    "options in any order, tabs and extra spaces (%s)", err);
	CHECK(pc.pc_addr.pa_family == AF_INET6 && pc.pc_addr.pa_len == 16 &&
	    memcmp(pc.pc_addr.pa_bytes, lo6, 16) == 0, "::1 is IPv6 ::1");
	CHECK(pc.pc_interval == 86400 && pc.pc_timeout == 2,
	    "interval 86400 and timeout 2 are taken");

	CHECK(parse("mapped ::ffff:127.0.0.1", &pc, err, sizeof(err)) == 0 &&
	    pc.pc_addr.pa_family == AF_INET &&
	    memcmp(pc.pc_addr.pa_bytes, lo4, 4) == 0,
	    "an IPv4-mapped IPv6 address probes over IPv4");
	CHECK(parse("name localhost interval 010", &pc, err, sizeof(err)) ==
	    0 && pc.pc_interval == 10 && ((pc.pc_addr.pa_family == AF_INET &&
	    memcmp(pc.pc_addr.pa_bytes, lo4, 4) == 0) ||
	    (pc.pc_addr.pa_family == AF_INET6 &&
	    memcmp(pc.pc_addr.pa_bytes, lo6, 16) == 0)),
	    "a host name resolves (localhost is a loopback address), "
	    "interval 010 is 10 (%s)", err);
	CHECK(parse("A.b_c-9 127.0.0.1", &pc, err, sizeof(err)) == 0,
	    "names may hold letters, digits, '.', '_' and '-'");
}

static void
test_config_errors(void)
{
	static struct probe_config	many[PROBE_MAX];
	struct probe_config		pc;
	char				err[256], line[128];
	size_t				i;

	expect_error("", "probe needs a name and a host: probe NAME HOST "
	    "[interval SECONDS] [timeout SECONDS]");
	expect_error("gw", "probe \"gw\" needs a host");
	expect_error("x 127.0.0.1 interval 0",
	    "interval \"0\" is not a whole number from 1 to 86400");
	expect_error("x 127.0.0.1 interval 86401",
	    "interval \"86401\" is not a whole number from 1 to 86400");
	expect_error("x 127.0.0.1 interval -5",
	    "interval \"-5\" is not a whole number from 1 to 86400");
	expect_error("x 127.0.0.1 interval 1.5",
	    "interval \"1.5\" is not a whole number from 1 to 86400");
	expect_error("x 127.0.0.1 interval 5s",
	    "interval \"5s\" is not a whole number from 1 to 86400");
	expect_error("x 127.0.0.1 interval 99999999999999999999",
	    "interval \"99999999999999999999\" is not a whole number from 1 "
	    "to 86400");
	expect_error("x 127.0.0.1 timeout 0",
	    "timeout \"0\" is not a whole number from 1 to 3600");
	expect_error("x 127.0.0.1 timeout 3601",
	    "timeout \"3601\" is not a whole number from 1 to 3600");
	expect_error("x 127.0.0.1 intervall 5",
	    "unknown option \"intervall\" (expected interval or timeout)");
	expect_error("x 127.0.0.1 interval", "interval needs a value in "
	    "seconds");
	expect_error("x 127.0.0.1 timeout 5 timeout 6", "timeout given twice");
	expect_error("x 224.0.0.1", "host \"224.0.0.1\" is not a unicast "
	    "address");
	expect_error("x ff02::1", "host \"ff02::1\" is not a unicast address");
	expect_error("x 0.0.0.0", "host \"0.0.0.0\" is not a unicast address");
	expect_error("x ::", "host \"::\" is not a unicast address");
	expect_error("x 255.255.255.255", "host \"255.255.255.255\" is not a "
	    "unicast address");
	expect_error("abcdefghijklmnopqrstuvwxyz0123456 127.0.0.1",
	    "probe name \"abcdefghijklmnopqrstuvwxyz0123456\" is longer than 32 "
	    "characters");
	expect_error("x 127.0.0.1 "
	    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopq"
	    " 5", "unknown option \"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrst"
	    "uvwxyzabcdefghijkl...\" (expected interval or timeout)");
	expect_error("a/b 127.0.0.1", "probe name \"a/b\" may hold only "
	    "letters, digits, '.', '_' and '-'");
	expect_error("a\001b 127.0.0.1", "probe name \"a?b\" may hold only "
	    "letters, digits, '.', '_' and '-'");

	/* The resolver may not reach a server here: then it says why
	 * after the same words. */
	err[0] = '\0';
	CHECK(parse("x foo.invalid", &pc, err, sizeof(err)) == -1 &&
	    strncmp(err, "unknown host \"foo.invalid\"", 26) == 0,
	    "an unknown host fails with: unknown host \"foo.invalid\" (%s)",
	    err);

	CHECK(parse("gw 127.0.0.1", &many[0], err, sizeof(err)) == 0,
	    "first gw parses");
	CHECK(probe_config_parse("gw ::1", many, 1, &pc, err, sizeof(err)) ==
	    -1 && strcmp(err, "duplicate probe name \"gw\"") == 0,
	    "a second gw fails with: duplicate probe name \"gw\" (%s)", err);
	CHECK(probe_config_parse("gw2 127.0.0.1", many, 1, &pc, err,
	    sizeof(err)) == 0, "another name to the same host is fine");
	for (i = 0; i < PROBE_MAX; i++)
		snprintf(many[i].pc_name, sizeof(many[i].pc_name), "p%zu", i);
	snprintf(line, sizeof(line), "extra 127.0.0.1");
	CHECK(probe_config_parse(line, many, PROBE_MAX, &pc, err,
	    sizeof(err)) == -1 && strcmp(err, "too many probes (at most 256)")
	    == 0, "probe 257 fails with: too many probes (at most 256) (%s)",
	    err);
}

static void
test_history_parse(void)
{
	uint32_t	n = 0;
	char		err[128];

	CHECK(probe_history_parse("25", &n, err, sizeof(err)) == 0 && n == 25,
	    "probeHistory 25 parses");
	CHECK(probe_history_parse("1000", &n, err, sizeof(err)) == 0 &&
	    n == 1000, "probeHistory 1000 parses");
	CHECK(probe_history_parse("0", &n, err, sizeof(err)) == -1 &&
	    strcmp(err, "probeHistory \"0\" is not a whole number from 1 to "
	    "1000") == 0, "probeHistory 0 fails with its message (%s)", err);
	CHECK(probe_history_parse("1001", &n, err, sizeof(err)) == -1,
	    "probeHistory 1001 fails");
	CHECK(probe_history_parse("", &n, err, sizeof(err)) == -1 &&
	    strcmp(err, "probeHistory \"\" is not a whole number from 1 to "
	    "1000") == 0, "an empty probeHistory fails (%s)", err);
}

/* Packets */

static size_t
put_ip4(uint8_t *p, size_t optlen, uint16_t payload, uint8_t proto,
    const uint8_t src[4], const uint8_t dst[4])
{
	size_t		hl = 20 + optlen, i;
	uint16_t	total = (uint16_t)(hl + payload), sum;

	memset(p, 0, hl);
	p[0] = (uint8_t)(0x40 | hl / 4);
	p[2] = (uint8_t)(total >> 8), p[3] = (uint8_t)total;
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	for (i = 20; i < hl; i++)
		p[i] = 1;		/* NOP options */
	sum = probe_icmp_checksum(p, hl);
	p[10] = (uint8_t)(sum >> 8), p[11] = (uint8_t)sum;
	return hl;
}

static void
fix_sum4(uint8_t *icmp, size_t len)
{
	uint16_t	sum;

	icmp[2] = icmp[3] = 0;
	sum = probe_icmp_checksum(icmp, len);
	icmp[2] = (uint8_t)(sum >> 8), icmp[3] = (uint8_t)sum;
}

static void
test_parse_echo4(void)
{
	static const uint8_t	src[4] = { 192, 0, 2, 1 }, dst[4] = { 10, 0,
				    0, 1 };
	uint8_t			buf[256], *icmp;
	struct probe_packet	pk;
	size_t			hl, len;

	len = probe_icmp_echo_build(AF_INET, 1, 0x1234, 0xbeef, "hello!", 6,
	    buf, sizeof(buf));
	CHECK_U64(len, 14, "an echo reply with 6 bytes of payload is 14 bytes");
	CHECK_U64(probe_icmp_checksum(buf, len), 0, "its checksum verifies");
	CHECK(probe_icmp_parse(AF_INET, 0, buf, len, &pk) ==
	    PROBE_PARSE_OK && pk.pk_type == PROBE_PACKET_ECHO_REPLY &&
	    pk.pk_ident == 0x1234 && pk.pk_seq == 0xbeef &&
	    pk.pk_family == AF_INET, "a datagram-socket echo reply (no IP "
	    "header) gives id 0x1234 seq 0xbeef");
	CHECK(probe_icmp_parse(AF_INET, 0, buf, 7, &pk) ==
	    PROBE_PARSE_MALFORMED, "an echo reply cut to 7 bytes is malformed");
	CHECK(probe_icmp_parse(AF_INET, 0, buf, 0, &pk) ==
	    PROBE_PARSE_MALFORMED, "an empty buffer is malformed");
	buf[len - 1] ^= 0x40;
	CHECK(probe_icmp_parse(AF_INET, 0, buf, len, &pk) ==
	    PROBE_PARSE_MALFORMED, "a flipped payload bit fails the checksum");

	len = probe_icmp_echo_build(AF_INET, 0, 1, 2, NULL, 0, buf,
	    sizeof(buf));
	CHECK(probe_icmp_parse(AF_INET, 0, buf, len, &pk) ==
	    PROBE_PARSE_OTHER, "an echo request is another kind of message");
	buf[0] = 11;	/* time exceeded */
	CHECK(probe_icmp_parse(AF_INET, 0, buf, len, &pk) ==
	    PROBE_PARSE_OTHER, "a time exceeded is another kind of message");

	/* Raw socket: IP header first, with 12 bytes of options. */
	hl = put_ip4(buf, 12, 8, IPPROTO_ICMP, src, dst);
	icmp = buf + hl;
	len = probe_icmp_echo_build(AF_INET, 1, 0xabcd, 7, NULL, 0, icmp, 64);
	CHECK(probe_icmp_parse(AF_INET, 1, buf, hl + len, &pk) ==
	    PROBE_PARSE_OK && pk.pk_ident == 0xabcd && pk.pk_seq == 7,
	    "a raw IPv4 reply with 12 bytes of IP options: IHL honoured, "
	    "id 0xabcd seq 7");
	CHECK(probe_icmp_parse(AF_INET, 1, buf, hl + 7, &pk) ==
	    PROBE_PARSE_MALFORMED, "the same cut inside the ICMP header is "
	    "malformed");
	CHECK(probe_icmp_parse(AF_INET, 1, buf, 28, &pk) ==
	    PROBE_PARSE_MALFORMED, "cut inside the options is malformed");

	/* Link padding after the datagram stays out of the checksum. */
	memset(buf + hl + len, 0xee, 6);
	CHECK(probe_icmp_parse(AF_INET, 1, buf, hl + len + 6, &pk) ==
	    PROBE_PARSE_OK, "bytes past the IP total length are ignored");

	buf[0] = 0x44;	/* IHL 4: shorter than a header */
	CHECK(probe_icmp_parse(AF_INET, 1, buf, hl + len, &pk) ==
	    PROBE_PARSE_MALFORMED, "IHL below 5 is malformed");
	buf[0] = 0x65;
	CHECK(probe_icmp_parse(AF_INET, 1, buf, hl + len, &pk) ==
	    PROBE_PARSE_MALFORMED, "IP version 6 in a raw IPv4 read is "
	    "malformed");
	buf[0] = 0x4f;	/* IHL 15: 60 bytes, more than the buffer */
	CHECK(probe_icmp_parse(AF_INET, 1, buf, 40, &pk) ==
	    PROBE_PARSE_MALFORMED, "IHL past the end is malformed");

	hl = put_ip4(buf, 0, 3, IPPROTO_ICMP, src, dst);
	probe_icmp_echo_build(AF_INET, 1, 1, 1, NULL, 0, buf + hl, 8);
	CHECK(probe_icmp_parse(AF_INET, 1, buf, hl + 8, &pk) ==
	    PROBE_PARSE_MALFORMED, "a total length that cuts the ICMP header "
	    "is malformed");
	hl = put_ip4(buf, 0, 8, IPPROTO_UDP, src, dst);
	CHECK(probe_icmp_parse(AF_INET, 1, buf, hl + 8, &pk) ==
	    PROBE_PARSE_OTHER, "a UDP datagram is another kind of message");
}

/* An unreachable from `from` quoting our request (IP options optlen) to
 * dst; returns its length. */
static size_t
build_unreach4(uint8_t *buf, uint8_t code, size_t optlen, uint8_t proto,
    size_t quoted, const uint8_t dst[4])
{
	static const uint8_t	me[4] = { 10, 0, 0, 1 }, router[4] = { 10, 0,
				    0, 254 };
	size_t			hl, ql;
	uint8_t			*icmp, *q;

	hl = put_ip4(buf, 0, (uint16_t)(8 + 20 + optlen + quoted),
	    IPPROTO_ICMP, router, me);
	icmp = buf + hl;
	memset(icmp, 0, 8);
	icmp[0] = 3;
	icmp[1] = code;
	q = icmp + 8;
	ql = put_ip4(q, optlen, 40, proto, me, dst);
	probe_icmp_echo_build(AF_INET, 0, 0x4242, 0x0101, "coremon probe....",
	    16, q + ql, 64);
	fix_sum4(icmp, 8 + ql + quoted);
	return hl + 8 + ql + quoted;
}

static void
test_parse_unreach4(void)
{
	static const uint8_t	dst[4] = { 192, 0, 2, 7 };
	uint8_t			buf[256];
	struct probe_packet	pk;
	size_t			len;

	len = build_unreach4(buf, 1, 0, IPPROTO_ICMP, 8, dst);
	CHECK(probe_icmp_parse(AF_INET, 1, buf, len, &pk) ==
	    PROBE_PARSE_OK && pk.pk_type == PROBE_PACKET_UNREACHABLE &&
	    pk.pk_code == 1 && pk.pk_ident == 0x4242 && pk.pk_seq == 0x0101 &&
	    pk.pk_target.pa_family == AF_INET &&
	    memcmp(pk.pk_target.pa_bytes, dst, 4) == 0,
	    "a host unreachable quoting our request to 192.0.2.7 (8 bytes "
	    "quoted, RFC 792) gives code 1, id, seq and the target");
	len = build_unreach4(buf, 3, 8, IPPROTO_ICMP, 24, dst);
	CHECK(probe_icmp_parse(AF_INET, 1, buf, len, &pk) ==
	    PROBE_PARSE_OK && pk.pk_seq == 0x0101 &&
	    memcmp(pk.pk_target.pa_bytes, dst, 4) == 0,
	    "a quoted header with 8 bytes of options is skipped by its IHL");
	len = build_unreach4(buf, 3, 0, IPPROTO_UDP, 8, dst);
	CHECK(probe_icmp_parse(AF_INET, 1, buf, len, &pk) ==
	    PROBE_PARSE_OTHER, "an unreachable quoting UDP is not ours");
	len = build_unreach4(buf, 1, 0, IPPROTO_ICMP, 4, dst);
	CHECK(probe_icmp_parse(AF_INET, 1, buf, len, &pk) ==
	    PROBE_PARSE_MALFORMED, "an unreachable quoting 4 bytes of ICMP "
	    "is malformed");
}

static void
test_parse_v6(void)
{
	static const uint8_t	dst[16] = { 0x20, 0x01, 0x0d, 0xb8,
				    [15] = 7 };
	uint8_t			buf[256], *q;
	struct probe_packet	pk;
	size_t			len;

	len = probe_icmp_echo_build(AF_INET6, 1, 0x7777, 0x8888, "x", 1, buf,
	    sizeof(buf));
	CHECK(buf[0] == 129 && len == 9, "an ICMPv6 echo reply is type 129");
	CHECK(probe_icmp_parse(AF_INET6, 0, buf, len, &pk) ==
	    PROBE_PARSE_OK && pk.pk_type == PROBE_PACKET_ECHO_REPLY &&
	    pk.pk_ident == 0x7777 && pk.pk_seq == 0x8888 &&
	    pk.pk_family == AF_INET6, "it parses to id 0x7777 seq 0x8888");
	CHECK(probe_icmp_parse(AF_INET6, 0, buf, 6, &pk) ==
	    PROBE_PARSE_MALFORMED, "cut to 6 bytes it is malformed");
	buf[0] = 128;
	CHECK(probe_icmp_parse(AF_INET6, 0, buf, len, &pk) ==
	    PROBE_PARSE_OTHER, "an ICMPv6 echo request is not a reply");
	buf[0] = 0;	/* echo reply of ICMPv4 means nothing in v6 */
	CHECK(probe_icmp_parse(AF_INET6, 0, buf, len, &pk) ==
	    PROBE_PARSE_OTHER, "ICMPv6 type 0 is another kind of message");

	memset(buf, 0, sizeof(buf));
	buf[0] = 1, buf[1] = 3;			/* address unreachable */
	q = buf + 8;
	q[0] = 0x60;
	q[6] = IPPROTO_ICMPV6;
	memcpy(q + 24, dst, 16);
	probe_icmp_echo_build(AF_INET6, 0, 0x5150, 9, NULL, 0, q + 40, 16);
	CHECK(probe_icmp_parse(AF_INET6, 0, buf, 8 + 40 + 8, &pk) ==
	    PROBE_PARSE_OK && pk.pk_type == PROBE_PACKET_UNREACHABLE &&
	    pk.pk_code == 3 && pk.pk_ident == 0x5150 && pk.pk_seq == 9 &&
	    pk.pk_target.pa_family == AF_INET6 &&
	    memcmp(pk.pk_target.pa_bytes, dst, 16) == 0,
	    "an ICMPv6 address unreachable quoting our request to "
	    "2001:db8::7 gives code 3, id, seq and the target");
	CHECK(probe_icmp_parse(AF_INET6, 0, buf, 8 + 40 + 5, &pk) ==
	    PROBE_PARSE_MALFORMED, "the same cut in the quoted request is "
	    "malformed");
	CHECK(probe_icmp_parse(AF_INET6, 0, buf, 8 + 30, &pk) ==
	    PROBE_PARSE_MALFORMED, "the same cut in the quoted IPv6 header "
	    "is malformed");
	q[6] = IPPROTO_UDP;
	CHECK(probe_icmp_parse(AF_INET6, 0, buf, 8 + 40 + 8, &pk) ==
	    PROBE_PARSE_OTHER, "an unreachable quoting UDP is not ours");
}

/* The engine by hand */

struct fake {
	struct probe_engine	*f_pe;
	struct probe_clock	 f_now;
	uint16_t		 f_ident4;
	uint16_t		 f_ident6;
};

static void
fake_at(struct fake *f, uint64_t ms)
{
	f->f_now.cl_mono_us = T0 + ms * MS;
	f->f_now.cl_wall_us = W0 + (int64_t)(ms * MS);
}

static void
fake_tick(struct fake *f, uint64_t ms)
{
	fake_at(f, ms);
	probe_engine_tick(f->f_pe, &f->f_now);
	probe_engine_publish(f->f_pe, &f->f_now);
}

static void
addr_set(struct probe_addr *pa, const char *text)
{
	memset(pa, 0, sizeof(*pa));
	if (inet_pton(AF_INET, text, pa->pa_bytes) == 1) {
		pa->pa_family = AF_INET, pa->pa_len = 4;
		return;
	}
	inet_pton(AF_INET6, text, pa->pa_bytes);
	pa->pa_family = AF_INET6, pa->pa_len = 16;
}

/* A copy of probe i of the current snapshot. */
static struct probe_result
result(struct fake *f, size_t i)
{
	const struct probe_snapshot	*sn = probe_acquire(f->f_pe);
	struct probe_result		 r = sn->sn_probes[i];

	r.pr_samples = NULL;	/* gone with the release */
	probe_release(sn);
	return r;
}

static enum probe_verdict
reply_at(struct fake *f, uint64_t ms, int family, uint16_t ident,
    uint16_t seq, const char *from)
{
	struct probe_packet	pk;
	struct probe_addr	pa;
	enum probe_verdict	v;

	memset(&pk, 0, sizeof(pk));
	pk.pk_type = PROBE_PACKET_ECHO_REPLY;
	pk.pk_family = family;
	pk.pk_ident = ident;
	pk.pk_seq = seq;
	addr_set(&pa, from);
	fake_at(f, ms);
	v = probe_engine_input(f->f_pe, &pk, &pa, &f->f_now);
	probe_engine_publish(f->f_pe, &f->f_now);
	return v;
}

static enum probe_verdict
reply4(struct fake *f, uint64_t ms, uint16_t seq, const char *from)
{
	return reply_at(f, ms, AF_INET, f->f_ident4, seq, from);
}

static struct probe_engine *
fake_engine(struct fake *f, const char *const *lines, size_t n,
    uint32_t history, uint32_t slow_us)
{
	struct probe_config	pcs[8];
	struct probe_options	po;
	const struct probe_snapshot *sn;
	char			err[256];
	size_t			i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < n; i++)
		if (probe_config_parse(lines[i], pcs, i, &pcs[i], err,
		    sizeof(err)) == -1)
			printf("# %s: %s\n", lines[i], err);
	probe_options_default(&po);
	po.po_history = history;
	po.po_slow_us = slow_us;
	po.po_sockets = PROBE_WANT_NONE;
	f->f_pe = probe_engine_new(pcs, n, &po, err, sizeof(err));
	if (f->f_pe == NULL) {
		printf("# probe_engine_new: %s\n", err);
		return NULL;
	}
	sn = probe_acquire(f->f_pe);
	f->f_ident4 = sn->sn_ident4;
	f->f_ident6 = sn->sn_ident6;
	probe_release(sn);
	return f->f_pe;
}

/* What a ping socket's error queue holds: our request as quoted, from its
 * ICMP header on (ip(7) IP_RECVERR); the bytes written out by hand. */
static void
test_parse_error(void)
{
	static const uint8_t	req4[8] = { 8, 0, 0x12, 0x34, 0x42, 0x42,
				    0x01, 0x01 };
	static const uint8_t	req6[8] = { 128, 0, 0, 0, 0x51, 0x50, 0,
				    9 };
	static const uint8_t	udp[8] = { 0x30, 0x39, 0, 53, 0, 8, 0, 0 };
	struct probe_addr	to;
	struct probe_packet	pk;

	addr_set(&to, "192.0.2.7");
	CHECK(probe_icmp_parse_error(AF_INET, 1, &to, req4, 8, &pk) ==
	    PROBE_PARSE_OK && pk.pk_type == PROBE_PACKET_UNREACHABLE &&
	    pk.pk_family == AF_INET && pk.pk_ident == 0x4242 &&
	    pk.pk_seq == 0x0101 && pk.pk_code == 1 &&
	    pk.pk_target.pa_family == AF_INET &&
	    memcmp(pk.pk_target.pa_bytes, "\xc0\x00\x02\x07", 4) == 0,
	    "a queued host unreachable quoting our request: id 0x4242 seq "
	    "0x0101 code 1 to 192.0.2.7");
	CHECK(probe_icmp_parse_error(AF_INET, 1, &to, req4, 7, &pk) ==
	    PROBE_PARSE_MALFORMED, "the quote cut to 7 bytes is malformed");
	CHECK(probe_icmp_parse_error(AF_INET, 1, &to, req4, 0, &pk) ==
	    PROBE_PARSE_MALFORMED, "an empty quote is malformed");
	CHECK(probe_icmp_parse_error(AF_INET, 3, &to, udp, 8, &pk) ==
	    PROBE_PARSE_OTHER, "a quote that is no echo request is not ours");
	CHECK(probe_icmp_parse_error(AF_INET6, 1, &to, req4, 8, &pk) ==
	    PROBE_PARSE_OTHER, "an ICMPv4 request is not an ICMPv6 one");
	addr_set(&to, "2001:db8::7");
	CHECK(probe_icmp_parse_error(AF_INET6, 3, &to, req6, 8, &pk) ==
	    PROBE_PARSE_OK && pk.pk_family == AF_INET6 &&
	    pk.pk_ident == 0x5150 && pk.pk_seq == 9 && pk.pk_code == 3 &&
	    pk.pk_target.pa_family == AF_INET6 &&
	    pk.pk_target.pa_bytes[0] == 0x20 && pk.pk_target.pa_bytes[15] == 7,
	    "a queued ICMPv6 address unreachable: id 0x5150 seq 9 code 3 to "
	    "2001:db8::7");
}

static void
test_engine_matching(void)
{
	static const char *const lines[] = {
		"a 192.0.2.1 interval 1 timeout 2",
		"b 2001:db8::1 interval 1 timeout 2",
		"c 192.0.2.1",
	};
	const struct probe_snapshot	*first, *sn;
	struct probe_result		 a, b, c;
	struct probe_packet		 pk;
	struct probe_addr		 router;
	struct fake			 f;
	uint16_t			 a1, b1, c1, a2;

	if (fake_engine(&f, lines, 3, 10, 0) == NULL) {
		CHECK(0, "an engine without sockets starts");
		return;
	}
	first = probe_acquire(f.f_pe);
	CHECK(first->sn_nprobes == 3 && first->sn_generation == 1 &&
	    first->sn_probes[0].pr_status == PROBE_STATUS_NONE &&
	    first->sn_probes[0].pr_sent == 0 &&
	    first->sn_socket4 == PROBE_SOCKET_NONE,
	    "the first snapshot exists before any probe: 3 rows, status none");
	CHECK(first->sn_probes[2].pr_interval == 30 &&
	    first->sn_probes[2].pr_timeout == 30, "an interval left out is "
	    "the engine's default, 30 s");

	fake_tick(&f, 0);
	a = result(&f, 0), b = result(&f, 1), c = result(&f, 2);
	a1 = a.pr_last_seq, b1 = b.pr_last_seq, c1 = c.pr_last_seq;
	CHECK(a.pr_sent == 1 && b.pr_sent == 1 && c.pr_sent == 1 &&
	    a.pr_outstanding == 1, "the first tick sends one probe each");
	CHECK(a1 != c1 && b1 != a1 && b1 != c1, "sequence numbers differ "
	    "across probes, even two to the same host (%u %u %u)", a1, b1, c1);
	CHECK(first->sn_probes[0].pr_sent == 0, "a snapshot acquired before "
	    "never changes");
	probe_release(first);

	CHECK(reply4(&f, 12, a1, "192.0.2.1") == PROBE_VERDICT_ANSWER,
	    "a reply from 192.0.2.1 with a's id and seq answers a");
	a = result(&f, 0);
	CHECK(a.pr_status == PROBE_STATUS_OK && a.pr_received == 1 &&
	    a.pr_last_rtt_us == 12000 && a.pr_outstanding == 0,
	    "a: status ok, RTT 12000 us, nothing outstanding");
	CHECK(a.pr_last_good_us == W0 + 12000, "a's last good reply is the "
	    "wall clock of its arrival");
	CHECK(reply4(&f, 15, a1, "192.0.2.1") == PROBE_VERDICT_DUPLICATE,
	    "the same reply again is a duplicate");
	CHECK(reply_at(&f, 16, AF_INET, (uint16_t)(f.f_ident4 + 1), c1,
	    "192.0.2.1") == PROBE_VERDICT_FOREIGN, "a reply with another id "
	    "is foreign");
	CHECK(reply4(&f, 17, c1, "192.0.2.99") == PROBE_VERDICT_FOREIGN,
	    "c's id and seq from another address is foreign");
	CHECK(reply4(&f, 18, (uint16_t)(c1 + 1000), "192.0.2.1") ==
	    PROBE_VERDICT_FOREIGN, "a sequence number never sent is foreign");
	CHECK(reply4(&f, 19, b1, "192.0.2.1") == PROBE_VERDICT_FOREIGN,
	    "b's sequence number from a's host is foreign");
	CHECK(reply_at(&f, 19, AF_INET6, f.f_ident6, c1, "2001:db8::1") ==
	    PROBE_VERDICT_FOREIGN, "c's sequence number from b's host is "
	    "foreign");
	c = result(&f, 2);
	CHECK(c.pr_received == 0 && c.pr_status == PROBE_STATUS_NONE,
	    "none of these answered c");
	CHECK(reply4(&f, 20, c1, "192.0.2.1") == PROBE_VERDICT_ANSWER,
	    "c's own reply answers c, not a (same host)");
	a = result(&f, 0), c = result(&f, 2);
	CHECK(c.pr_received == 1 && c.pr_last_rtt_us == 20000 &&
	    a.pr_received == 1 && a.pr_duplicates == 1 && a.pr_late == 0,
	    "c received 1 (20 ms); a still 1 with 1 duplicate");
	sn = probe_acquire(f.f_pe);
	CHECK_U64(sn->sn_foreign, 5, "the engine counted 5 foreign replies");
	probe_release(sn);

	/* b never answers: lost at exactly its 2 s timeout. */
	fake_tick(&f, 1000);
	fake_tick(&f, 1999);
	b = result(&f, 1);
	CHECK(b.pr_status == PROBE_STATUS_NONE && b.pr_outstanding == 2,
	    "b at 1.999 s: two probes waiting, no outcome yet");
	fake_tick(&f, 2000);
	b = result(&f, 1);
	CHECK(b.pr_status == PROBE_STATUS_TIMEOUT && b.pr_timeouts == 1 &&
	    b.pr_consec_lost == 1 && b.pr_sent == 3,
	    "b at 2 s: first probe timed out, 1 lost in a row, 3 sent");
	CHECK(reply_at(&f, 2100, AF_INET6, f.f_ident6, b1, "2001:db8::1") ==
	    PROBE_VERDICT_LATE, "b's first reply after its timeout is late");
	b = result(&f, 1);
	CHECK(b.pr_late == 1 && b.pr_received == 0, "late is counted, never "
	    "received");

	/* A reply arriving at its timeout, before any tick saw it. */
	a = result(&f, 0);
	a2 = a.pr_last_seq;		/* sent at 2000 ms */
	CHECK(reply4(&f, 4000, a2, "192.0.2.1") == PROBE_VERDICT_LATE,
	    "a reply exactly at the timeout is late (lost, as in the paper)");
	a = result(&f, 0);
	CHECK(a.pr_status == PROBE_STATUS_TIMEOUT && a.pr_late == 1 &&
	    a.pr_timeouts >= 1, "a: status timeout after it");

	/* An unreachable for a waiting probe of a. */
	fake_tick(&f, 4000);
	a = result(&f, 0);
	memset(&pk, 0, sizeof(pk));
	pk.pk_type = PROBE_PACKET_UNREACHABLE;
	pk.pk_family = AF_INET;
	pk.pk_ident = f.f_ident4;
	pk.pk_seq = a.pr_last_seq;
	pk.pk_code = 1;
	addr_set(&pk.pk_target, "192.0.2.1");
	addr_set(&router, "192.0.2.254");
	CHECK(probe_engine_input(f.f_pe, &pk, &router, &f.f_now) ==
	    PROBE_VERDICT_UNREACHABLE, "an unreachable quoting a's waiting "
	    "probe ends it");
	probe_engine_publish(f.f_pe, &f.f_now);
	a = result(&f, 0);
	CHECK(a.pr_status == PROBE_STATUS_UNREACHABLE &&
	    a.pr_unreachable == 1 && strcmp(a.pr_error, "host unreachable "
	    "(ICMP code 1) from 192.0.2.254") == 0,
	    "a: status unreachable, error \"%s\"", a.pr_error);
	CHECK(reply4(&f, 4010, a.pr_last_seq, "192.0.2.1") ==
	    PROBE_VERDICT_LATE, "a reply after the unreachable is late");
	probe_engine_free(f.f_pe);
}

/* a: history 4, slow above 30 ms; RTTs 10, 40, 50, lost, 20, 35 ms. */
static void
test_engine_stats(void)
{
	static const char *const lines[] = { "a 192.0.2.1 interval 1 timeout 1" };
	static const int	rtt_ms[] = { 10, 40, 50, -1, 20, 35 };
	struct probe_result	r;
	struct fake		f;
	const struct probe_snapshot *sn;
	uint32_t		mean;
	unsigned int		n;
	size_t			i;

	if (fake_engine(&f, lines, 1, 4, 30000) == NULL) {
		CHECK(0, "an engine without sockets starts");
		return;
	}
	for (i = 0; i < 6; i++) {
		fake_tick(&f, i * 1000);
		r = result(&f, 0);
		if (rtt_ms[i] >= 0)
			reply4(&f, i * 1000 + (uint64_t)rtt_ms[i],
			    r.pr_last_seq, "192.0.2.1");
		if (i == 0) {
			r = result(&f, 0);
			CHECK(r.pr_consec_slow == 0 && r.pr_min_rtt_us == 10000 &&
			    r.pr_max_rtt_us == 10000 && r.pr_loss_x100 == 0,
			    "after one 10 ms answer: min = max = 10 ms, loss 0");
		}
		if (i == 2) {
			r = result(&f, 0);
			CHECK_U64(r.pr_consec_slow, 2, "40 and 50 ms above 30 ms: "
			    "2 slow in a row");
		}
		if (i == 4) {
			r = result(&f, 0);
			CHECK(r.pr_consec_lost == 0 && r.pr_consec_slow == 0 &&
			    r.pr_timeouts == 1, "the loss broke the slow streak, "
			    "the 20 ms answer broke the lost one");
		}
	}
	fake_tick(&f, 6000);	/* 35 ms at 5 s answered; 6 s sent */
	r = result(&f, 0);
	/* History of 4: 50, lost, 20, 35. */
	CHECK(r.pr_history_count == 4 && r.pr_history_answered == 3,
	    "history holds the last 4 completed probes, 3 answered");
	CHECK_U64(r.pr_min_rtt_us, 20000, "min over the history is 20 ms");
	CHECK_U64(r.pr_max_rtt_us, 50000, "max over the history is 50 ms "
	    "(10 and 40 ms fell out)");
	CHECK_U64(r.pr_avg_rtt_us, 35000, "avg of 50, 20, 35 is 35 ms");
	CHECK_U64(r.pr_loss_x100, 2500, "1 lost of 4: 25.00%%");
	CHECK(r.pr_sent == 7 && r.pr_received == 5 && r.pr_timeouts == 1,
	    "totals: 7 sent, 5 received, 1 timeout");
	CHECK_U64(r.pr_consec_slow, 1, "35 ms is slow: 1 in a row");
	CHECK_U64(r.pr_last_rtt_us, 35000, "last RTT 35 ms");

	sn = probe_acquire(f.f_pe);
	n = probe_window_rtt(&sn->sn_probes[0], W0 + 4000 * (int64_t)MS,
	    W0 + 6000 * (int64_t)MS, &mean);
	CHECK(n == 2 && mean == 27500, "window [4 s, 6 s): mean of 20 and "
	    "35 ms is 27.5 ms (%u answers, %u us)", n, mean);
	n = probe_window_rtt(&sn->sn_probes[0], W0 + 3000 * (int64_t)MS,
	    W0 + 4000 * (int64_t)MS, &mean);
	CHECK(n == 0 && mean == 0, "window [3 s, 4 s) holds no answer: "
	    "no RTT");
	CHECK(sn->sn_probes[0].pr_nsamples == 4 &&
	    sn->sn_probes[0].pr_samples[0].sa_rtt_us == 50000 &&
	    sn->sn_probes[0].pr_samples[1].sa_status == PROBE_STATUS_TIMEOUT,
	    "the snapshot's samples are the history, oldest first");
	probe_release(sn);

	/* Five losses in a row. */
	for (i = 7; i <= 11; i++)
		fake_tick(&f, i * 1000);
	r = result(&f, 0);
	CHECK(r.pr_consec_lost == 5 && r.pr_loss_x100 == 10000 &&
	    r.pr_status == PROBE_STATUS_TIMEOUT && r.pr_history_answered == 0 &&
	    r.pr_avg_rtt_us == 0, "after 5 silent probes: 5 lost in a row, "
	    "loss 100.00%%, status timeout, no RTT in the history");
	probe_engine_free(f.f_pe);
}

/* Timeout 3 s, interval 1 s: the first probe is lost after the second is
 * answered; status follows the newest probe sent. */
static void
test_engine_order(void)
{
	static const char *const lines[] = { "d 192.0.2.9 interval 1 timeout 3" };
	struct probe_result	r;
	struct fake		f;
	uint16_t		s2;

	if (fake_engine(&f, lines, 1, 10, 0) == NULL) {
		CHECK(0, "an engine without sockets starts");
		return;
	}
	fake_tick(&f, 0);
	fake_tick(&f, 1000);
	s2 = result(&f, 0).pr_last_seq;
	CHECK(reply4(&f, 1005, s2, "192.0.2.9") == PROBE_VERDICT_ANSWER,
	    "the second probe is answered while the first waits");
	fake_tick(&f, 2000);
	fake_tick(&f, 3000);
	r = result(&f, 0);
	CHECK(r.pr_timeouts == 1 && r.pr_status == PROBE_STATUS_OK &&
	    r.pr_consec_lost == 0, "the first probe's timeout counts but "
	    "leaves status ok and no loss streak");
	CHECK(r.pr_outstanding == 2 && r.pr_history_count == 2 &&
	    r.pr_loss_x100 == 5000, "2 still waiting; history: 1 of 2 lost");
	probe_engine_free(f.f_pe);
}

/* Real probes */

static int
have_ipv6_loopback(void)
{
	FILE	*f = fopen("/proc/net/if_inet6", "r");
	char	 line[256];
	int	 found = 0;

	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strncmp(line, "00000000000000000000000000000001", 32)
		    == 0;
	fclose(f);
	return found;
}

static void
test_loopback(enum probe_socket_want want, const char *what)
{
	struct probe_config	pcs[2];
	struct probe_options	po;
	struct probe_engine	*pe;
	const struct probe_snapshot *sn;
	const struct probe_result *r;
	struct timespec		ts = { 2, 300000000 };
	char			err[256];
	size_t			n = 1, i;

	probe_config_parse("lo4 127.0.0.1 interval 1 timeout 2", NULL, 0,
	    &pcs[0], err, sizeof(err));
	if (have_ipv6_loopback())
		probe_config_parse("lo6 ::1 interval 1 timeout 2", pcs, 1,
		    &pcs[n++], err, sizeof(err));
	else
		printf("skip - no ::1 on this host: IPv6 loopback not probed\n");
	probe_options_default(&po);
	po.po_sockets = want;
	if ((pe = probe_engine_new(pcs, n, &po, err, sizeof(err))) == NULL) {
		printf("skip - %s sockets: %s\n", what, err);
		return;
	}
	CHECK(probe_engine_start(pe) == 0, "%s: the probe thread starts", what);
	nanosleep(&ts, NULL);
	probe_engine_stop(pe);
	sn = probe_acquire(pe);
	for (i = 0; i < sn->sn_nprobes; i++) {
		r = &sn->sn_probes[i];
		CHECK(r->pr_sent >= 3 && r->pr_received == r->pr_sent -
		    r->pr_outstanding && r->pr_loss_x100 == 0 &&
		    r->pr_status == PROBE_STATUS_OK, "%s %s (%s socket): %llu "
		    "sent, %llu answered, loss 0, status ok", what, r->pr_host,
		    probe_socket_name(r->pr_socket),
		    (unsigned long long)r->pr_sent,
		    (unsigned long long)r->pr_received);
		CHECK(r->pr_min_rtt_us > 0 && r->pr_min_rtt_us <=
		    r->pr_avg_rtt_us && r->pr_avg_rtt_us <= r->pr_max_rtt_us &&
		    r->pr_max_rtt_us < 50000, "%s %s: RTT min %u <= avg %u <= "
		    "max %u us, below 50 ms", what, r->pr_host,
		    r->pr_min_rtt_us, r->pr_avg_rtt_us, r->pr_max_rtt_us);
		CHECK(r->pr_late == 0 && r->pr_duplicates == 0 &&
		    r->pr_consec_lost == 0 && r->pr_last_good_us > 0,
		    "%s %s: no late or duplicate reply, a last good time",
		    what, r->pr_host);
	}
	probe_release(sn);
	probe_engine_free(pe);
}

/*
 * A reply read late still yields the time it arrived.  An echo request to
 * the loopback is answered by the kernel at once; the reply is waited for
 * with poll(), then left unread for 200 ms.  The time the socket layer
 * gives for it must lie between the test's own clock reads before the send
 * and after poll() saw the reply: the 200 ms spent before reading are not
 * network time.  1 ms covers the conversion of the kernel's CLOCK_REALTIME
 * stamp to CLOCK_MONOTONIC (microseconds), and is far below the 200 ms.
 */
static void
test_read_late(int family, enum probe_socket_want want, const char *what)
{
	struct probe_sock	 so;
	struct probe_packet	 pk;
	struct probe_addr	 to, from;
	struct probe_clock	 before, sent, returned, readable, got;
	struct timespec		 late = { 0, 200000000 };
	struct pollfd		 pfd;
	enum probe_sock_read	 rd;
	enum probe_parse	 parsed = PROBE_PARSE_OTHER;
	uint16_t		 seq = probe_sock_random16();
	char			 err[256];
	int			 found = 0, tries;

	if (probe_sock_open(&so, family, want, err, sizeof(err)) == -1) {
		printf("skip - %s socket: %s\n", what, err);
		return;
	}
	addr_set(&to, family == AF_INET ? "127.0.0.1" : "::1");
	probe_clock_now(&before);
	sent = before;
	CHECK(probe_sock_send(&so, &to, seq, &sent) == 0,
	    "%s: echo request %u sent to the loopback", what, seq);
	probe_clock_now(&returned);
	CHECK(sent.cl_mono_us >= before.cl_mono_us && sent.cl_mono_us <=
	    returned.cl_mono_us, "%s: the send is timed within the call", what);
	pfd.fd = so.so_fd, pfd.events = POLLIN;
	for (tries = 0; !found && tries < 16; tries++) {
		if (poll(&pfd, 1, 2000) != 1)
			break;
		probe_clock_now(&readable);
		nanosleep(&late, NULL);
		/* Others' echo replies may reach a raw socket first. */
		while ((rd = probe_sock_read(&so, &pk, &from, &got,
		    &parsed)) == PROBE_SOCK_READ_DONE || rd ==
		    PROBE_SOCK_READ_AGAIN) {
			if (rd == PROBE_SOCK_READ_DONE &&
			    parsed == PROBE_PARSE_OK &&
			    pk.pk_type == PROBE_PACKET_ECHO_REPLY &&
			    pk.pk_ident == so.so_ident && pk.pk_seq == seq) {
				found = 1;
				break;
			}
		}
	}
	CHECK(found, "%s: the reply to echo request %u is read", what, seq);
	if (found) {
		CHECK(got.cl_mono_us + 1000 >= before.cl_mono_us &&
		    got.cl_mono_us <= readable.cl_mono_us + 1000,
		    "%s: a reply read 200 ms late is timed when it arrived: "
		    "%lld us after the send, %lld us before poll() saw it",
		    what, (long long)(got.cl_mono_us - before.cl_mono_us),
		    (long long)(readable.cl_mono_us - got.cl_mono_us));
		CHECK(got.cl_wall_us - before.cl_wall_us <
		    (int64_t)(readable.cl_mono_us - before.cl_mono_us) + 1000,
		    "%s: its wall-clock time is the arrival's too", what);
	}
	probe_sock_close(&so);
}

int
main(void)
{
	test_config_ok();
	test_config_errors();
	test_history_parse();
	test_parse_echo4();
	test_parse_unreach4();
	test_parse_v6();
	test_parse_error();
	test_engine_matching();
	test_engine_stats();
	test_engine_order();
	test_loopback(PROBE_WANT_AUTO, "auto");
	test_loopback(PROBE_WANT_DGRAM, "dgram");
	test_loopback(PROBE_WANT_RAW, "raw");
	test_read_late(AF_INET, PROBE_WANT_RAW, "raw IPv4");
	test_read_late(AF_INET, PROBE_WANT_DGRAM, "dgram IPv4");
	if (have_ipv6_loopback()) {
		test_read_late(AF_INET6, PROBE_WANT_RAW, "raw IPv6");
		test_read_late(AF_INET6, PROBE_WANT_DGRAM, "dgram IPv6");
	}
	return check_done();
}
