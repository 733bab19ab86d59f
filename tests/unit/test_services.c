/*
 * services: the built-in catalogue, every parse error and its message,
 * how configuration lines replace, extend and take over ports, and the
 * session service rule (catalogue port, else the smaller port below
 * 1024, else 0) in both directions.
 */
#include <string.h>

#include "capture/services.h"
#include "check.h"

#define TCP	6
#define UDP	17
#define SCTP	132
#define ICMP	1

static unsigned int
index_of(const struct services *sc, const char *name)
{
	const struct service	*sv = services_find(sc, name);

	return sv ? sv->sv_index : 0;
}

static void
check_ports_text(const struct services *sc, const char *name,
    const char *want)
{
	char	buf[256];

	services_ports_text(sc, index_of(sc, name), buf, sizeof(buf));
	CHECK(strcmp(buf, want) == 0, "%s's ports read \"%s\" (got \"%s\")",
	    name, want, buf);
}

static void
test_defaults(void)
{
	static const char	*order[] = { "ftp", "ssh", "telnet", "mail",
				    "dns", "www", "ntp", "other" };
	struct services		*sc = services_new();
	const struct service	*sv;
	size_t			 i;

	CHECK(sc != NULL, "the built-in catalogue is made");
	if (sc == NULL)
		return;
	CHECK_U64(services_count(sc), 8, "eight built-in services");
	for (i = 0; i < 8; i++) {
		sv = services_get(sc, (unsigned int)i + 1);
		CHECK(sv != NULL && strcmp(sv->sv_name, order[i]) == 0 &&
		    sv->sv_index == i + 1, "service %zu is %s", i + 1,
		    order[i]);
	}
	CHECK(services_get(sc, 0) == NULL && services_get(sc, 9) == NULL,
	    "indexes outside 1..count give NULL");
	CHECK_U64(services_other(sc), 8, "\"other\" is last");
	CHECK_U64(services_port(sc, TCP, 21), index_of(sc, "ftp"),
	    "tcp 21 is ftp");
	CHECK_U64(services_port(sc, TCP, 20), index_of(sc, "ftp"),
	    "tcp 20 is ftp");
	CHECK_U64(services_port(sc, TCP, 22), index_of(sc, "ssh"),
	    "tcp 22 is ssh");
	CHECK_U64(services_port(sc, TCP, 23), index_of(sc, "telnet"),
	    "tcp 23 is telnet");
	CHECK_U64(services_port(sc, TCP, 993), index_of(sc, "mail"),
	    "tcp 993 (imaps) is mail");
	CHECK_U64(services_port(sc, TCP, 587), index_of(sc, "mail"),
	    "tcp 587 (submission) is mail");
	CHECK_U64(services_port(sc, UDP, 53), index_of(sc, "dns"),
	    "udp 53 is dns");
	CHECK_U64(services_port(sc, TCP, 53), index_of(sc, "dns"),
	    "tcp 53 is dns");
	CHECK_U64(services_port(sc, UDP, 443), index_of(sc, "www"),
	    "udp 443 (QUIC) is www");
	CHECK_U64(services_port(sc, TCP, 8443), index_of(sc, "www"),
	    "tcp 8443 is www");
	CHECK_U64(services_port(sc, UDP, 80), 0, "udp 80 is no service");
	CHECK_U64(services_port(sc, UDP, 123), index_of(sc, "ntp"),
	    "udp 123 is ntp");
	CHECK_U64(services_port(sc, TCP, 123), 0, "tcp 123 is no service");
	CHECK_U64(services_port(sc, SCTP, 80), 0, "sctp 80 is no service");
	CHECK_U64(services_port(sc, ICMP, 80), 0,
	    "a protocol without ports has no service");
	sv = services_find(sc, "www");
	CHECK(sv != NULL && sv->sv_protocols == (SERVICE_TCP | SERVICE_UDP) &&
	    sv->sv_nports == 5, "www: tcp and udp, 5 (protocol, port) pairs");
	sv = services_find(sc, "WWW");
	CHECK(sv != NULL && sv->sv_index == 6, "names match case-insensitively");
	sv = services_find(sc, "other");
	CHECK(sv != NULL && sv->sv_protocols == 0 && sv->sv_nports == 0,
	    "\"other\" owns no port");
	check_ports_text(sc, "ftp", "20-21");
	check_ports_text(sc, "mail", "25,110,143,465,587,993,995");
	check_ports_text(sc, "www", "80,443,8080,8443");
	check_ports_text(sc, "other", "");
	services_free(sc);
}

static void
check_error(const char *line, const char *want)
{
	struct services	*sc = services_new();
	char		 err[200] = "";
	int		 rc;

	if (sc == NULL)
		return;
	rc = services_parse(sc, line, err, sizeof(err));
	CHECK(rc == -1 && strcmp(err, want) == 0,
	    "\"%s\" is refused: %s (got %d, \"%s\")", line, want, rc, err);
	CHECK_U64(services_count(sc), 8, "\"%s\" leaves the catalogue as it "
	    "was", line);
	CHECK_U64(services_port(sc, TCP, 80), 6, "\"%s\": tcp 80 still www",
	    line);
	services_free(sc);
}

static void
test_errors(void)
{
	check_error("", "missing service name");
	check_error("   ", "missing service name");
	check_error("gopher", "missing protocol after \"gopher\"");
	check_error("gopher tcp", "missing ports");
	check_error("gopher tpc 70", "unknown protocol \"tpc\"");
	check_error("gopher tcp,icmp 70", "unknown protocol \"icmp\"");
	check_error("gopher tcp, 70", "empty protocol in \"tcp,\"");
	check_error("gopher tcp 70000", "port \"70000\" out of range 1-65535");
	check_error("gopher tcp 0", "port \"0\" out of range 1-65535");
	check_error("gopher tcp 99999999999999999999",
	    "port \"99999999999999999999\" out of range 1-65535");
	check_error("gopher tcp 7o", "port \"7o\" is not a number");
	check_error("gopher tcp +70", "port \"+70\" is not a number");
	check_error("gopher tcp 90-80", "range 90-80 is backwards");
	check_error("gopher tcp 80,,443", "empty port in \"80,,443\"");
	check_error("gopher tcp 80,", "empty port in \"80,\"");
	check_error("gopher tcp -80", "bad port range \"-80\"");
	check_error("gopher tcp 80-", "bad port range \"80-\"");
	check_error("gopher tcp 80-90-100", "port \"90-100\" is not a number");
	check_error("www tcp 80 443", "unexpected \"443\" after the ports");
	check_error("other tcp 70", "service name \"other\" is reserved for "
	    "traffic no service matches");
	check_error("w$w tcp 70", "service name \"w$w\": only letters, "
	    "digits, '-', '_' and '.' allowed");
	check_error("a23456789012345678901234567890123 tcp 70",
	    "service name \"a23456789012345678901234567890123\" is longer "
	    "than 32 characters");
	/* A port range error in a later item leaves earlier items unapplied. */
	check_error("www tcp 8000,70000", "port \"70000\" out of range 1-65535");
}

static void
test_config_lines(void)
{
	struct services		*sc = services_new();
	const struct service	*sv;
	char			 err[200], name[16], line[64];
	unsigned int		 i;
	int			 rc = 0;

	if (sc == NULL)
		return;
	CHECK(services_parse(sc, "gopher tcp 70", err, sizeof(err)) == 0,
	    "a new service is accepted");
	CHECK_U64(index_of(sc, "gopher"), 8, "a new service goes before "
	    "\"other\"");
	CHECK_U64(services_other(sc), 9, "\"other\" moves down to stay last");
	CHECK(strcmp(services_get(sc, 9)->sv_name, "other") == 0,
	    "service 9 is other");
	CHECK_U64(services_port(sc, TCP, 70), 8, "tcp 70 is gopher");

	CHECK(services_parse(sc, "www tcp 80", err, sizeof(err)) == 0,
	    "a line naming a built-in service is accepted");
	CHECK_U64(index_of(sc, "www"), 6, "the replaced service keeps its "
	    "index");
	CHECK_U64(services_port(sc, TCP, 8080), 0,
	    "replacing www drops its built-in port 8080");
	CHECK_U64(services_port(sc, UDP, 443), 0,
	    "and its udp 443");
	CHECK(services_parse(sc, "www tcp,udp 443 ", err, sizeof(err)) == 0,
	    "a second line for www is accepted");
	CHECK_U64(services_port(sc, TCP, 80), 6, "the second line adds: 80 "
	    "stays www");
	CHECK_U64(services_port(sc, UDP, 443), 6, "and udp 443 joins");
	check_ports_text(sc, "www", "80,443");

	CHECK(services_parse(sc, "web-alt\tTCP,sctp\t8000-8010,8080", err,
	    sizeof(err)) == 0, "tabs, upper case, ranges and two protocols");
	CHECK_U64(services_port(sc, TCP, 8005), index_of(sc, "web-alt"),
	    "tcp 8005 is in the range");
	CHECK_U64(services_port(sc, SCTP, 8010), index_of(sc, "web-alt"),
	    "sctp 8010 is in the range");
	CHECK_U64(services_port(sc, UDP, 8005), 0, "udp 8005 is not");
	check_ports_text(sc, "web-alt", "8000-8010,8080");

	CHECK(services_parse(sc, "imap tcp 143,993", err, sizeof(err)) == 0,
	    "a service may take ports from another");
	CHECK_U64(services_port(sc, TCP, 993), index_of(sc, "imap"),
	    "tcp 993 now belongs to imap");
	check_ports_text(sc, "mail", "25,110,465,587,995");
	sv = services_find(sc, "mail");
	CHECK(sv != NULL && sv->sv_nports == 5, "mail counts 5 ports left");

	for (i = services_count(sc); i < SERVICES_MAX && rc == 0; i++) {
		snprintf(name, sizeof(name), "s%u", i);
		snprintf(line, sizeof(line), "%s udp %u", name, 20000 + i);
		rc = services_parse(sc, line, err, sizeof(err));
	}
	CHECK(rc == 0 && services_count(sc) == SERVICES_MAX,
	    "the catalogue fills to %d services", SERVICES_MAX);
	rc = services_parse(sc, "one-more udp 30000", err, sizeof(err));
	CHECK(rc == -1 && strcmp(err, "too many services (at most 254 besides "
	    "\"other\")") == 0, "one more is refused: %s", err);
	CHECK(services_parse(sc, "s100 udp 30001", err, sizeof(err)) == 0,
	    "a full catalogue still extends a service it has");
	CHECK_U64(services_other(sc), SERVICES_MAX, "\"other\" is still last");
	services_free(sc);
}

static void
test_ports_text_cut(void)
{
	struct services	*sc = services_new();
	char		 err[64], buf[256], small[12];
	size_t		 n;

	if (sc == NULL)
		return;
	/* Every other port of 1000..1998: 500 items, far past 255. */
	services_parse(sc, "many udp 1000", err, sizeof(err));
	for (n = 1002; n < 2000; n += 2) {
		char	line[32];

		snprintf(line, sizeof(line), "many udp %zu", n);
		services_parse(sc, line, err, sizeof(err));
	}
	n = services_ports_text(sc, index_of(sc, "many"), buf, sizeof(buf));
	CHECK(n <= 255 && n == strlen(buf), "a long list is cut to 255 "
	    "characters (%zu)", n);
	CHECK(n >= 4 && strcmp(buf + n - 4, ",...") == 0 &&
	    strncmp(buf, "1000,1002,", 10) == 0,
	    "and ends in \",...\" after whole ports: ...%s", buf + n - 12);
	services_ports_text(sc, index_of(sc, "many"), small, sizeof(small));
	CHECK(strcmp(small, "1000,...") == 0, "a tiny buffer: \"%s\"", small);
	services_free(sc);
}

/* The session rule, and that it reads the same both ways. */
static void
check_classify(const struct services *sc, uint8_t proto, uint16_t a,
    uint16_t b, uint16_t want_port, const char *want_service)
{
	uint16_t	p1 = 1, p2 = 2;
	unsigned int	s1, s2;

	s1 = services_classify(sc, proto, a, b, &p1);
	s2 = services_classify(sc, proto, b, a, &p2);
	CHECK(s1 == index_of(sc, want_service) && p1 == want_port &&
	    s2 == s1 && p2 == p1, "proto %u %u<->%u: port %u, %s "
	    "(got %u/%u, %u/%u)", proto, a, b, want_port, want_service,
	    p1, s1, p2, s2);
}

static void
test_classify(void)
{
	struct services	*sc = services_new();

	if (sc == NULL)
		return;
	check_classify(sc, TCP, 51000, 80, 80, "www");
	check_classify(sc, UDP, 40000, 53, 53, "dns");
	check_classify(sc, TCP, 600, 8080, 8080, "www");	/* catalogue wins */
	check_classify(sc, TCP, 22, 80, 22, "ssh");	/* both: smaller */
	check_classify(sc, TCP, 40000, 631, 631, "other");	/* < 1024 */
	check_classify(sc, UDP, 1023, 50000, 1023, "other");
	check_classify(sc, UDP, 1024, 50000, 0, "other");	/* unknown */
	check_classify(sc, TCP, 5000, 6000, 0, "other");
	check_classify(sc, UDP, 123, 123, 123, "ntp");
	check_classify(sc, SCTP, 3868, 40000, 0, "other");
	check_classify(sc, 33, 5000, 443, 443, "other");	/* DCCP: rule */
	check_classify(sc, ICMP, 0, 0, 0, "other");
	services_free(sc);
}

int
main(void)
{
	test_defaults();
	test_errors();
	test_config_lines();
	test_ports_text_cut();
	test_classify();
	return check_done();
}
