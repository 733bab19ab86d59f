/*
 * Shared unit-test fixtures: what several tests built by hand before,
 * written once.  A repeatable random generator, temporary directories,
 * addresses, decoded packets, sessions and closed windows, and real TCP
 * connections over the loopback.
 *
 * Fixtures are not assertions: nothing here calls CHECK() (check.h's
 * counters are per program).  What cannot be set up at all is reported
 * on stderr and returned as -1, or, for the loopback helpers whose
 * failure leaves nothing to test, ends the program with status 2.
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "capture/window.h"

/* ---- random ---------------------------------------------------------- */

/* xorshift64*: the same sequence for the same nonzero seed everywhere,
 * so a failure replays. */
uint64_t	fixture_random(uint64_t *state);

/* ---- files ----------------------------------------------------------- */

/* $SHARED, the folder of shared test data, or ../shared. */
const char	*fixture_shared_dir(void);

/* Makes a fresh directory NAME.XXXXXX under $TMPDIR (when short enough)
 * or /tmp into dir; 0, or -1 with the reason printed. */
int		fixture_tmpdir(char *dir, size_t len, const char *name);

/* Removes everything below dir (links themselves, never what they
 * point at) and keeps dir; 0 when all went. */
int		fixture_empty_dir(const char *dir);

/* fixture_empty_dir(), then dir itself. */
int		fixture_remove_dir(const char *dir);

/* A 64 KiB tmpfs mounted on dir/full, its path in mnt: a disk that
 * fills.  -1 with a "# skipped" line where it cannot be mounted (the
 * test is not root, or has no mount namespace of its own). */
int		fixture_small_disk(char *mnt, size_t len, const char *dir);

/* Fills the disk holding path with a file there of 4 KiB blocks. */
void		fixture_fill_disk(const char *path);

/* Unmounts and removes what fixture_small_disk() made. */
void		fixture_small_disk_remove(const char *mnt);

/* ---- addresses ------------------------------------------------------- */

/* text (IPv6 when it holds a ':') into 16 bytes, zero-filled past an
 * IPv4 address; returns AF_INET or AF_INET6. */
int		fixture_addr(const char *text, uint8_t a[16]);

/* addr and port as a sockaddr of family; returns its length. */
socklen_t	fixture_sockaddr(struct sockaddr_storage *ss, int family,
		    const char *addr, uint16_t port);

/* ---- packets, sessions, windows -------------------------------------- */

/* A decoded packet between text addresses; ports only for TCP and UDP
 * (6, 17), as the decoder reports them. */
struct decode_pkt fixture_pkt(const char *src, uint16_t sport,
		    const char *dst, uint16_t dport, uint8_t proto,
		    uint32_t len);

/* The same between IPv4 addresses given as host-order numbers. */
struct decode_pkt fixture_pkt4(uint32_t src, uint16_t sport, uint32_t dst,
		    uint16_t dport, uint8_t proto, uint32_t len);

/* A session between text addresses, with counts c; its family is the
 * remote's (test_hostdb keys IPv6 hosts to an IPv4 local address). */
struct session	fixture_session(const char *local, const char *remote,
		    uint8_t proto, uint16_t port, unsigned int service,
		    const struct session_counts *c);

/* A closed 30-second window starting at start_us holding s[0..n). */
void		fixture_window(struct window_closed *wd, int64_t start_us,
		    const struct session *s, size_t n);

/* The index of service name in sv, 0 when it has none. */
unsigned int	fixture_service(const struct services *sv, const char *name);

/* The service table and a local network of the given prefixes, as the
 * window, session and capture tests use them; 0, or -1 with neither. */
int		fixture_world(struct services **sv, struct localnet **ln,
		    const char *localnets);
void		fixture_world_free(struct services *sv, struct localnet *ln);

/* ---- the loopback ---------------------------------------------------- */

/* Both ends of a TCP connection on the loopback, as the kernel sees
 * them. */
struct conn {
	int		cn_cli, cn_srv;
	uint16_t	cn_cport, cn_sport;
	int		cn_cfamily;	/* the client socket's family */
	uint64_t	cn_ccookie, cn_scookie;
};

/* A listening TCP socket on addr, an ephemeral port; IPv6 ones are
 * IPV6_V6ONLY so that v4-mapped clients reach the IPv4 listener. */
int		fixture_listener(int family, const char *addr);

/* Connects a client of cfamily to the listener lfd at dst and accepts
 * it; from bind_port when not 0 (SO_REUSEADDR, to reuse a 4-tuple). */
void		fixture_connect(struct conn *cn, int lfd, int cfamily,
		    const char *dst, uint16_t bind_port);

/* The three kinds of loopback connection, in cns[0..2]: IPv4 to
 * 127.0.0.1, IPv6 to ::1, and an IPv6 client to ::ffff:127.0.0.1
 * (v4-mapped, accepted by the IPv4 listener); listeners in *l4, *l6.
 * Each client sends to_srv bytes, its server sends to_cli of which the
 * client reads read_cli; returns once every byte is acknowledged. */
void		fixture_connect_three(struct conn cns[3], int *l4, int *l6,
		    size_t to_srv, size_t to_cli, size_t read_cli);

/* Closes both ends, the client with an RST (SO_LINGER 0): no TIME_WAIT
 * is left behind. */
void		fixture_abort(struct conn *cn);

uint16_t	fixture_port_of(int fd);
uint64_t	fixture_cookie_of(int fd);

/* Writes n bytes of 'x'; reads exactly n bytes. */
void		fixture_write_all(int fd, size_t n);
void		fixture_read_exactly(int fd, size_t n);

/* Waits (up to 2 s) until everything written on fd has been
 * acknowledged, so the kernel's byte counters are final. */
void		fixture_wait_acked(int fd);

/* ---- SQLite files (the history database, read back) ------------------ */

/* The one integer the query sqlite3_mprintf(fmt, ...) returns (%Q for a
 * quoted string); -1 when it returns none or fails (said on stdout). */
long long	fixture_sqlite_int(sqlite3 *db, const char *fmt, ...);

/* Whether PRAGMA integrity_check says "ok". */
int		fixture_sqlite_intact(sqlite3 *db);

#endif
