/*
 * services: the catalogue as three port maps, and its config-line parser.
 *
 * The maps are the catalogue's only record of ports: a parse writes the
 * service's index into map[protocol][port], which takes the port from
 * whatever service had it, and the per-service figures (protocols, port
 * count) are recounted from the maps afterwards.  "other" never appears
 * in a map, so adding a service before it renumbers nothing there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capture/services.h"
#include "lib/errbuf.h"

#define SC_NPROTOS	3	/* tcp, udp, sctp: the map rows */
#define SC_NPORTS	65536

struct services {
	struct service	cat_list[SERVICES_MAX];	/* [i] has index i + 1 */
	size_t		cat_count;		/* "other" is the last */
	uint8_t		cat_map[SC_NPROTOS][SC_NPORTS];
};

/* A word of a config line: not NUL-terminated. */
struct sc_word {
	const char	*sw_ptr;
	int		 sw_len;
};

/* In the syntax of a config line; lines naming one service merge. */
static const char *const sc_defaults[] = {
	"ftp tcp 20-21",
	"ssh tcp 22",
	"telnet tcp 23",
	"mail tcp 25,110,143,465,587,993,995",
	"dns tcp,udp 53",
	"www tcp 80,443,8080,8443",
	"www udp 443",
	"ntp udp 123",
};

/* The map rows, in the order of cmServiceProtocols' bits. */
static const struct {
	const char	*p_name;
	uint8_t		 p_bit;		/* SERVICE_* */
} sc_protos[SC_NPROTOS] = {
	{ "tcp", SERVICE_TCP },
	{ "udp", SERVICE_UDP },
	{ "sctp", SERVICE_SCTP },
};

/* The map row of an IP protocol number (IANA), or -1. */
static int
sc_row(uint8_t proto)
{
	switch (proto) {
	case 6:
		return 0;
	case 17:
		return 1;
	case 132:
		return 2;
	default:
		return -1;
	}
}

/* Next whitespace-separated word of *s; sw_len 0 at the end. */
static struct sc_word
sc_next_word(const char **s)
{
	struct sc_word	w;
	const char	*p = *s;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	w.sw_ptr = p;
	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
	    *p != '\r')
		p++;
	w.sw_len = (int)(p - w.sw_ptr);
	*s = p;
	return w;
}

/* The next comma-separated item of a word, advancing *pos past it. */
static struct sc_word
sc_next_item(struct sc_word w, int *pos)
{
	struct sc_word	it;
	int		i = *pos;

	it.sw_ptr = w.sw_ptr + i;
	while (i < w.sw_len && w.sw_ptr[i] != ',')
		i++;
	it.sw_len = (int)(w.sw_ptr + i - it.sw_ptr);
	*pos = i + 1;
	return it;
}

static int
sc_word_is(struct sc_word w, const char *s)
{
	return (size_t)w.sw_len == strlen(s) &&
	    strncasecmp(w.sw_ptr, s, (size_t)w.sw_len) == 0;
}

static int
sc_check_name(struct sc_word w, char *err, size_t errlen)
{
	int	i;

	if (w.sw_len == 0)
		return errbuf_set(err, errlen, "missing service name");
	if (w.sw_len > SERVICE_NAME_MAX)
		return errbuf_set(err, errlen, "service name \"%.*s\" is "
		    "longer than %d characters", w.sw_len, w.sw_ptr,
		    SERVICE_NAME_MAX);
	for (i = 0; i < w.sw_len; i++) {
		char	c = w.sw_ptr[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return errbuf_set(err, errlen, "service name \"%.*s\": "
			    "only letters, digits, '-', '_' and '.' allowed",
			    w.sw_len, w.sw_ptr);
	}
	if (sc_word_is(w, "other"))
		return errbuf_set(err, errlen, "service name \"other\" is "
		    "reserved for traffic no service matches");
	return 0;
}

/* The SERVICE_* bits of "tcp,udp"; 0 on error. */
static uint8_t
sc_parse_protos(struct sc_word w, char *err, size_t errlen)
{
	struct sc_word	it;
	uint8_t		bits = 0;
	int		pos = 0, i, found;

	while (pos <= w.sw_len) {
		it = sc_next_item(w, &pos);
		if (it.sw_len == 0) {
			errbuf_set(err, errlen, "empty protocol in \"%.*s\"",
			    w.sw_len, w.sw_ptr);
			return 0;
		}
		for (i = 0, found = 0; i < SC_NPROTOS && !found; i++)
			if (sc_word_is(it, sc_protos[i].p_name)) {
				bits |= sc_protos[i].p_bit;
				found = 1;
			}
		if (!found) {
			errbuf_set(err, errlen, "unknown protocol \"%.*s\"",
			    it.sw_len, it.sw_ptr);
			return 0;
		}
	}
	return bits;
}

/* A port number 1-65535, or -1 with the message. */
static long
sc_parse_port(struct sc_word w, char *err, size_t errlen)
{
	long	v = 0;
	int	i;

	if (w.sw_len == 0)
		return errbuf_set(err, errlen, "missing port");
	for (i = 0; i < w.sw_len; i++) {
		if (w.sw_ptr[i] < '0' || w.sw_ptr[i] > '9')
			return errbuf_set(err, errlen, "port \"%.*s\" is not a "
			    "number", w.sw_len, w.sw_ptr);
		if (v < 100000)		/* enough to know it is too big */
			v = v * 10 + (w.sw_ptr[i] - '0');
	}
	if (v < 1 || v > 65535)
		return errbuf_set(err, errlen, "port \"%.*s\" out of range "
		    "1-65535", w.sw_len, w.sw_ptr);
	return v;
}

/*
 * Walks "80,443,8000-8099": checks every item, and when map rows are
 * given sets each port's entry in them to index.  0 or -1.
 */
static int
sc_parse_ports(struct sc_word w, uint8_t (*map)[SC_NPORTS], uint8_t bits,
    uint8_t index, char *err, size_t errlen)
{
	struct sc_word	it, lo_w, hi_w;
	long		lo, hi, port;
	int		pos = 0, r;
	const char	*dash;

	while (pos <= w.sw_len) {
		it = sc_next_item(w, &pos);
		if (it.sw_len == 0)
			return errbuf_set(err, errlen, "empty port in \"%.*s\"",
			    w.sw_len, w.sw_ptr);
		dash = memchr(it.sw_ptr, '-', (size_t)it.sw_len);
		lo_w = it;
		hi_w = it;
		if (dash != NULL) {
			lo_w.sw_len = (int)(dash - it.sw_ptr);
			hi_w.sw_ptr = dash + 1;
			hi_w.sw_len = it.sw_len - lo_w.sw_len - 1;
			if (lo_w.sw_len == 0 || hi_w.sw_len == 0)
				return errbuf_set(err, errlen, "bad port range "
				    "\"%.*s\"", it.sw_len, it.sw_ptr);
		}
		if ((lo = sc_parse_port(lo_w, err, errlen)) < 0 ||
		    (hi = sc_parse_port(hi_w, err, errlen)) < 0)
			return -1;
		if (hi < lo)
			return errbuf_set(err, errlen, "range %ld-%ld is "
			    "backwards", lo, hi);
		if (map == NULL)
			continue;
		for (r = 0; r < SC_NPROTOS; r++)
			if (bits & sc_protos[r].p_bit)
				for (port = lo; port <= hi; port++)
					map[r][port] = index;
	}
	return 0;
}

static struct service *
sc_lookup(struct services *sc, struct sc_word name)
{
	size_t	i;

	for (i = 0; i < sc->cat_count; i++)
		if (sc_word_is(name, sc->cat_list[i].sv_name))
			return &sc->cat_list[i];
	return NULL;
}

/* Adds a service named name before "other", which moves down one. */
static struct service *
sc_append(struct services *sc, struct sc_word name)
{
	struct service	*sv;

	if (sc->cat_count > 0) {
		sc->cat_list[sc->cat_count] = sc->cat_list[sc->cat_count - 1];
		sc->cat_list[sc->cat_count].sv_index = sc->cat_count + 1;
		sv = &sc->cat_list[sc->cat_count - 1];
	} else
		sv = &sc->cat_list[0];
	sc->cat_count++;
	memset(sv, 0, sizeof(*sv));
	sv->sv_index = (unsigned int)(sv - sc->cat_list) + 1;
	memcpy(sv->sv_name, name.sw_ptr, (size_t)name.sw_len);
	return sv;
}

static void
sc_forget_ports(struct services *sc, unsigned int index)
{
	int	r, port;

	for (r = 0; r < SC_NPROTOS; r++)
		for (port = 0; port < SC_NPORTS; port++)
			if (sc->cat_map[r][port] == index)
				sc->cat_map[r][port] = 0;
}

/* sv_protocols and sv_nports of every service, from the maps. */
static void
sc_recount(struct services *sc)
{
	struct service	*sv;
	size_t		 i;
	int		 r, port;

	for (i = 0; i < sc->cat_count; i++) {
		sc->cat_list[i].sv_protocols = 0;
		sc->cat_list[i].sv_nports = 0;
	}
	for (r = 0; r < SC_NPROTOS; r++)
		for (port = 1; port < SC_NPORTS; port++) {
			if (sc->cat_map[r][port] == 0)
				continue;
			sv = &sc->cat_list[sc->cat_map[r][port] - 1];
			sv->sv_protocols |= sc_protos[r].p_bit;
			sv->sv_nports++;
		}
}

/* A line's value; from_config: the first line naming a built-in
 * service replaces its ports rather than adding to them. */
static int
sc_apply(struct services *sc, const char *value, int from_config,
    char *err, size_t errlen)
{
	struct sc_word	 name, protos, ports, extra;
	struct service	*sv;
	uint8_t		 bits;

	name = sc_next_word(&value);
	if (sc_check_name(name, err, errlen) < 0)
		return -1;
	protos = sc_next_word(&value);
	if (protos.sw_len == 0)
		return errbuf_set(err, errlen,
		    "missing protocol after \"%.*s\"", name.sw_len,
		    name.sw_ptr);
	if ((bits = sc_parse_protos(protos, err, errlen)) == 0)
		return -1;
	ports = sc_next_word(&value);
	if (ports.sw_len == 0)
		return errbuf_set(err, errlen, "missing ports");
	if (sc_parse_ports(ports, NULL, 0, 0, err, errlen) < 0)
		return -1;
	extra = sc_next_word(&value);
	if (extra.sw_len != 0)
		return errbuf_set(err, errlen, "unexpected \"%.*s\" after the "
		    "ports", extra.sw_len, extra.sw_ptr);

	if ((sv = sc_lookup(sc, name)) == NULL) {
		if (sc->cat_count >= SERVICES_MAX)
			return errbuf_set(err, errlen, "too many services (at "
			    "most %d besides \"other\")", SERVICES_MAX - 1);
		sv = sc_append(sc, name);
	}
	if (from_config && !sv->sv_configured) {
		sc_forget_ports(sc, sv->sv_index);
		sv->sv_configured = 1;
	}
	sc_parse_ports(ports, sc->cat_map, bits, (uint8_t)sv->sv_index,
	    NULL, 0);
	return 0;
}

int
services_parse(struct services *sc, const char *value, char *err,
    size_t errlen)
{
	if (sc_apply(sc, value, 1, err, errlen) < 0)
		return -1;
	sc_recount(sc);
	return 0;
}

struct services *
services_new(void)
{
	static const struct sc_word	other = { "other", 5 };
	struct services			*sc;
	char				 err[128];
	size_t				 i;

	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return NULL;
	sc_append(sc, other);
	for (i = 0; i < sizeof(sc_defaults) / sizeof(sc_defaults[0]); i++)
		if (sc_apply(sc, sc_defaults[i], 0, err, sizeof(err)) < 0) {
			free(sc);
			errno = EINVAL;
			return NULL;
		}
	/* Once for all the defaults: a recount scans every map. */
	sc_recount(sc);
	return sc;
}

void
services_free(struct services *sc)
{
	free(sc);
}

size_t
services_count(const struct services *sc)
{
	return sc->cat_count;
}

const struct service *
services_get(const struct services *sc, unsigned int index)
{
	if (index < 1 || index > sc->cat_count)
		return NULL;
	return &sc->cat_list[index - 1];
}

const struct service *
services_find(const struct services *sc, const char *name)
{
	size_t	i;

	for (i = 0; i < sc->cat_count; i++)
		if (strcasecmp(sc->cat_list[i].sv_name, name) == 0)
			return &sc->cat_list[i];
	return NULL;
}

unsigned int
services_other(const struct services *sc)
{
	return (unsigned int)sc->cat_count;
}

unsigned int
services_port(const struct services *sc, uint8_t proto, uint16_t port)
{
	int	r = sc_row(proto);

	return r < 0 ? 0 : sc->cat_map[r][port];
}

unsigned int
services_classify(const struct services *sc, uint8_t proto, uint16_t sport,
    uint16_t dport, uint16_t *service_port)
{
	int		r = sc_row(proto);
	unsigned int	a, b;
	uint16_t	low;

	if (r >= 0) {
		a = sc->cat_map[r][sport];
		b = sc->cat_map[r][dport];
		if (a != 0 && (b == 0 || sport <= dport)) {
			*service_port = sport;
			return a;
		}
		if (b != 0) {
			*service_port = dport;
			return b;
		}
	}
	low = sport < dport ? sport : dport;
	*service_port = low < 1024 ? low : 0;
	return (unsigned int)sc->cat_count;
}

/* Appends text at *off if it fits before the last byte of buf. */
static int
sc_append_text(char *buf, size_t len, size_t *off, const char *text)
{
	size_t	n = strlen(text);

	if (*off + n + 1 > len)
		return -1;
	memcpy(buf + *off, text, n + 1);
	*off += n;
	return 0;
}

/* Ends a text cut short with ",..." after the last whole item that
 * leaves room for it. */
static size_t
sc_cut_text(char *buf, size_t len, size_t off)
{
	while (off > 0 && off + 4 + 1 > len) {
		while (off > 0 && buf[off - 1] != ',')
			off--;
		if (off > 0)
			off--;			/* drop the comma too */
	}
	buf[off] = '\0';
	if (sc_append_text(buf, len, &off, off > 0 ? ",..." : "...") < 0) {
		buf[0] = '\0';
		off = 0;
	}
	return off;
}

static int
sc_owns(const struct services *sc, unsigned int index, unsigned int port)
{
	int	r;

	for (r = 0; r < SC_NPROTOS; r++)
		if (sc->cat_map[r][port] == index)
			return 1;
	return 0;
}

size_t
services_ports_text(const struct services *sc, unsigned int index,
    char *buf, size_t len)
{
	char		piece[32];
	size_t		off = 0;
	unsigned int	port, lo;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (index < 1 || index >= sc->cat_count)	/* "other" owns none */
		return 0;
	for (port = 1; port < SC_NPORTS; port++) {
		if (!sc_owns(sc, index, port))
			continue;
		for (lo = port; port + 1 < SC_NPORTS &&
		    sc_owns(sc, index, port + 1); port++)
			;
		if (lo == port)
			snprintf(piece, sizeof(piece), "%s%u",
			    off ? "," : "", lo & 0xffff);
		else
			snprintf(piece, sizeof(piece), "%s%u-%u",
			    off ? "," : "", lo & 0xffff, port & 0xffff);
		if (sc_append_text(buf, len, &off, piece) < 0)
			return sc_cut_text(buf, len, off);
	}
	return off;
}
