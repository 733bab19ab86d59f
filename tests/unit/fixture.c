/*
 * Shared unit-test fixtures; see fixture.h.  Linked into every
 * build/tests/test_* program by the Makefile.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "fixture.h"

#define FIXTURE_SEC	1000000LL	/* one second in microseconds */

/* ---- random ---------------------------------------------------------- */

uint64_t
fixture_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

/* ---- files ----------------------------------------------------------- */

const char *
fixture_shared_dir(void)
{
	const char	*s = getenv("SHARED");

	return s != NULL && *s != '\0' ? s : "../shared";
}

int
fixture_tmpdir(char *dir, size_t len, const char *name)
{
	const char	*t = getenv("TMPDIR");
	int		 n;

	/* A long $TMPDIR would not leave room for the file names the
	 * tests append. */
	n = snprintf(dir, len, "%s/%s.XXXXXX",
	    t != NULL && *t != '\0' && strlen(t) < 30 ? t : "/tmp", name);
	if (n < 0 || (size_t)n >= len) {
		fprintf(stderr, "fixture_tmpdir: %s: name too long\n", name);
		return -1;
	}
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "fixture_tmpdir: mkdtemp %s: %s\n", dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int	fixture_remove_failed;

/* nftw() visits a folder's contents before the folder (FTW_DEPTH). */
static int
fixture_remove_one(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st;
	if (ftw->level == 0)
		return 0;
	if ((type == FTW_DP || type == FTW_DNR ? rmdir(path) :
	    unlink(path)) < 0)
		fixture_remove_failed = 1;
	return 0;
}

int
fixture_empty_dir(const char *dir)
{
	fixture_remove_failed = 0;
	if (nftw(dir, fixture_remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return -1;
	return fixture_remove_failed ? -1 : 0;
}

int
fixture_remove_dir(const char *dir)
{
	int	rc = fixture_empty_dir(dir);

	return rmdir(dir) < 0 ? -1 : rc;
}

int
fixture_small_disk(char *mnt, size_t len, const char *dir)
{
	snprintf(mnt, len, "%s/full", dir);
	mkdir(mnt, 0700);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k") < 0) {
		printf("# skipped: a full disk (cannot mount a tmpfs: %s)\n",
		    strerror(errno));
		rmdir(mnt);
		return -1;
	}
	return 0;
}

void
fixture_fill_disk(const char *path)
{
	char	block[4096];
	FILE	*f;

	memset(block, 'x', sizeof(block));
	if ((f = fopen(path, "w")) == NULL)
		return;
	while (fwrite(block, 1, sizeof(block), f) == sizeof(block) &&
	    fflush(f) == 0)
		continue;
	fclose(f);
}

void
fixture_small_disk_remove(const char *mnt)
{
	umount(mnt);
	rmdir(mnt);
}

/* ---- addresses ------------------------------------------------------- */

int
fixture_addr(const char *text, uint8_t a[16])
{
	int	family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;

	memset(a, 0, 16);
	inet_pton(family, text, a);
	return family;
}

socklen_t
fixture_sockaddr(struct sockaddr_storage *ss, int family, const char *addr,
    uint16_t port)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	inet_pton(AF_INET6, addr, &s6->sin6_addr);
	return sizeof(*s6);
}

/* ---- packets, sessions, windows -------------------------------------- */

static struct decode_pkt
fixture_pkt_ports(struct decode_pkt dp, uint16_t sport, uint16_t dport,
    uint8_t proto, uint32_t len)
{
	dp.dp_proto = proto;
	dp.dp_wire_len = len;
	if (proto == 6 || proto == 17) {
		dp.dp_sport = sport;
		dp.dp_dport = dport;
		dp.dp_flags = DECODE_F_PORTS;
	}
	dp.dp_result = DECODE_OK;
	return dp;
}

struct decode_pkt
fixture_pkt(const char *src, uint16_t sport, const char *dst, uint16_t dport,
    uint8_t proto, uint32_t len)
{
	struct decode_pkt	dp;

	memset(&dp, 0, sizeof(dp));
	dp.dp_family = fixture_addr(src, dp.dp_src);
	fixture_addr(dst, dp.dp_dst);
	dp.dp_ipver = dp.dp_family == AF_INET6 ? 6 : 4;
	return fixture_pkt_ports(dp, sport, dport, proto, len);
}

struct decode_pkt
fixture_pkt4(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
    uint8_t proto, uint32_t len)
{
	struct decode_pkt	dp;
	uint32_t		a;

	memset(&dp, 0, sizeof(dp));
	dp.dp_family = AF_INET;
	dp.dp_ipver = 4;
	a = htonl(src);
	memcpy(dp.dp_src, &a, 4);
	a = htonl(dst);
	memcpy(dp.dp_dst, &a, 4);
	return fixture_pkt_ports(dp, sport, dport, proto, len);
}

struct session
fixture_session(const char *local, const char *remote, uint8_t proto,
    uint16_t port, unsigned int service, const struct session_counts *c)
{
	struct session	se;

	memset(&se, 0, sizeof(se));
	fixture_addr(local, se.se_key.sk_local);
	se.se_key.sk_family = (uint8_t)fixture_addr(remote,
	    se.se_key.sk_remote);
	se.se_key.sk_proto = proto;
	se.se_key.sk_port = port;
	se.se_service = (uint8_t)service;
	se.se_octets_in = c->sc_octets_in;
	se.se_octets_out = c->sc_octets_out;
	se.se_packets_in = c->sc_packets_in;
	se.se_packets_out = c->sc_packets_out;
	return se;
}

void
fixture_window(struct window_closed *wd, int64_t start_us,
    const struct session *s, size_t n)
{
	memset(wd, 0, sizeof(*wd));
	wd->wd_start_us = start_us;
	wd->wd_length_us = 30 * FIXTURE_SEC;
	wd->wd_sessions = s;
	wd->wd_nsessions = n;
}

unsigned int
fixture_service(const struct services *sv, const char *name)
{
	const struct service	*s = services_find(sv, name);

	return s != NULL ? s->sv_index : 0;
}

int
fixture_world(struct services **sv, struct localnet **ln,
    const char *localnets)
{
	char	err[128];

	*sv = services_new();
	*ln = localnet_new();
	if (*sv == NULL || *ln == NULL ||
	    localnet_parse(*ln, localnets, err, sizeof(err)) < 0) {
		fixture_world_free(*sv, *ln);
		*sv = NULL;
		*ln = NULL;
		return -1;
	}
	return 0;
}

void
fixture_world_free(struct services *sv, struct localnet *ln)
{
	services_free(sv);
	localnet_free(ln);
}

/* ---- the loopback ---------------------------------------------------- */

uint16_t
fixture_port_of(int fd)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	getsockname(fd, (struct sockaddr *)&ss, &len);
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

uint64_t
fixture_cookie_of(int fd)
{
	uint64_t	cookie = 0;
	socklen_t	len = sizeof(cookie);

	getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len);
	return cookie;
}

int
fixture_listener(int family, const char *addr)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd, one = 1;

	fd = socket(family, SOCK_STREAM, 0);
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	len = fixture_sockaddr(&ss, family, addr, 0);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0) {
		perror("listener");
		exit(2);
	}
	return fd;
}

void
fixture_connect(struct conn *cn, int lfd, int cfamily, const char *dst,
    uint16_t bind_port)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			one = 1;

	memset(cn, 0, sizeof(*cn));
	cn->cn_cfamily = cfamily;
	cn->cn_cli = socket(cfamily, SOCK_STREAM, 0);
	if (bind_port != 0) {
		setsockopt(cn->cn_cli, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		len = fixture_sockaddr(&ss, cfamily,
		    cfamily == AF_INET ? "127.0.0.1" : "::1", bind_port);
		if (bind(cn->cn_cli, (struct sockaddr *)&ss, len) < 0)
			perror("bind client");
	}
	len = fixture_sockaddr(&ss, cfamily, dst, fixture_port_of(lfd));
	if (connect(cn->cn_cli, (struct sockaddr *)&ss, len) < 0) {
		perror("connect");
		exit(2);
	}
	cn->cn_srv = accept(lfd, NULL, NULL);
	cn->cn_cport = fixture_port_of(cn->cn_cli);
	cn->cn_sport = fixture_port_of(cn->cn_srv);
	cn->cn_ccookie = fixture_cookie_of(cn->cn_cli);
	cn->cn_scookie = fixture_cookie_of(cn->cn_srv);
}

void
fixture_abort(struct conn *cn)
{
	struct linger	lg = { 1, 0 };

	setsockopt(cn->cn_cli, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(cn->cn_cli);
	close(cn->cn_srv);
}

void
fixture_write_all(int fd, size_t n)
{
	char	buf[4096];
	ssize_t	w;

	memset(buf, 'x', sizeof(buf));
	while (n > 0) {
		w = write(fd, buf, n < sizeof(buf) ? n : sizeof(buf));
		if (w <= 0)
			exit(2);
		n -= (size_t)w;
	}
}

void
fixture_read_exactly(int fd, size_t n)
{
	char	buf[4096];
	ssize_t	r;

	while (n > 0) {
		r = read(fd, buf, n < sizeof(buf) ? n : sizeof(buf));
		if (r <= 0)
			exit(2);
		n -= (size_t)r;
	}
}

void
fixture_wait_acked(int fd)
{
	int	outq = 1, i;

	for (i = 0; i < 200 && outq != 0; i++) {
		if (ioctl(fd, SIOCOUTQ, &outq) < 0)
			return;
		if (outq != 0)
			usleep(10000);
	}
}

void
fixture_connect_three(struct conn cns[3], int *l4, int *l6, size_t to_srv,
    size_t to_cli, size_t read_cli)
{
	int	i;

	*l4 = fixture_listener(AF_INET, "127.0.0.1");
	*l6 = fixture_listener(AF_INET6, "::1");
	fixture_connect(&cns[0], *l4, AF_INET, "127.0.0.1", 0);
	fixture_connect(&cns[1], *l6, AF_INET6, "::1", 0);
	fixture_connect(&cns[2], *l4, AF_INET6, "::ffff:127.0.0.1", 0);
	for (i = 0; i < 3; i++) {
		fixture_write_all(cns[i].cn_cli, to_srv);
		fixture_read_exactly(cns[i].cn_srv, to_srv);
		fixture_write_all(cns[i].cn_srv, to_cli);
		fixture_read_exactly(cns[i].cn_cli, read_cli);
	}
	for (i = 0; i < 3; i++) {
		fixture_wait_acked(cns[i].cn_cli);
		fixture_wait_acked(cns[i].cn_srv);
	}
}

/* ---- SQLite files ---------------------------------------------------- */

long long
fixture_sqlite_int(sqlite3 *db, const char *fmt, ...)
{
	sqlite3_stmt	*st;
	long long	 v = -1;
	char		*sql;
	va_list		 ap;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		printf("# %s: %s\n", sql, sqlite3_errmsg(db));
		sqlite3_free(sql);
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return v;
}

int
fixture_sqlite_intact(sqlite3 *db)
{
	sqlite3_stmt	*st;
	int		 ok = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	return ok;
}
