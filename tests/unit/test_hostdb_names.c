/*
 * hostdb's name pool compaction when memory runs out halfway: after
 * evictions leave more garbage than live names, the next window
 * compacts the pool; the second 64 KB chunk of the new pool is refused
 * (malloc() wrapped here).  Every host still has its own name -- built
 * by this test from its address -- and a later compaction, with memory
 * again, keeps them too.  (Skipped under AddressSanitizer, which owns
 * malloc.)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "capture/services.h"
#include "check.h"
#include "fixture.h"
#include "store/hostdb.h"
#include "store/resolver.h"

#define SEC		1000000LL
#define NAME_CHUNK	65536		/* hostdb_names.c's names chunk */
#define HOSTS		12000
#define CAP		1000

#if defined(__SANITIZE_ADDRESS__)
int
main(void)
{
	printf("skip - test_hostdb_names: malloc() cannot be wrapped under ASan\n");
	return check_done();
}
#else

void	*__libc_malloc(size_t);
void	*malloc(size_t);

static int	chunk_countdown;	/* 0: off */
static int	refused;

/* Refuses the chunk_countdown-th names chunk from now on. */
void *
malloc(size_t n)
{
	if (chunk_countdown > 0 && n == NAME_CHUNK &&
	    --chunk_countdown == 0) {
		refused++;
		return NULL;
	}
	return __libc_malloc(n);
}

/* Host i's name: unique, 200 bytes, so names fill several chunks. */
static void
name_of(char *buf, size_t len, uint32_t i)
{
	int	n = snprintf(buf, len, "host-%u.", i);

	memset(buf + n, 'a' + (char)(i % 26), 200 - (size_t)n);
	buf[200] = '\0';
}

static void
addr_of(uint8_t *a, uint32_t i)
{
	memset(a, 0, 16);
	a[0] = 198;
	a[1] = 18;
	a[2] = (uint8_t)(i >> 8);
	a[3] = (uint8_t)i;
}

/* Every host's name is the one it was loaded with. */
static int
names_ok(struct hostdb *hd, size_t *checked)
{
	const struct hostdb_snapshot	*sn = hostdb_acquire(hd);
	struct hostdb_host		 hh;
	char				 want[256];
	size_t				 i;
	int				 ok = 1;

	*checked = 0;
	for (i = 0; i < sn->hs_entries; i++) {
		if (hostdb_snapshot_host(sn, i, &hh) < 0 ||
		    hh.hh_addr[0] != 198)
			continue;
		name_of(want, sizeof(want),
		    (uint32_t)hh.hh_addr[2] << 8 | hh.hh_addr[3]);
		ok &= strcmp(hh.hh_name, want) == 0;
		(*checked)++;
	}
	hostdb_release(sn);
	return ok;
}

static int
window(struct hostdb *hd, int64_t start, uint8_t last)
{
	/* kept: the heaviest */
	struct session_counts	c = { UINT64_C(1) << 30, 0, 1, 0 };
	struct window_closed	wd;
	struct session		se;

	se = fixture_session("10.0.0.1", "203.0.113.0", 6, 80, 0, &c);
	se.se_key.sk_remote[3] = last;
	fixture_window(&wd, start, &se, 1);
	return hostdb_add_window(hd, &wd);
}

int
main(void)
{
	struct services		*sv = services_new();
	struct hostdb_config	 hc;
	struct hostdb		*hd;
	struct hostdb_loader	*ld;
	struct hostdb_host	 hh;
	struct resolver_config	 rc;
	struct resolver		*res;
	char			 name[256], dir[64], file[96];
	int64_t			 now = (int64_t)time(NULL);
	size_t			 checked;
	uint32_t		 i;

	/* A file of HOSTS named hosts, loaded under a cap of CAP: the
	 * load evicts the rest, leaving their names as garbage. */
	if (fixture_tmpdir(dir, sizeof(dir), "test_hostdb_names") < 0)
		return 1;
	snprintf(file, sizeof(file), "%s/hostdb", dir);
	hostdb_config_default(&hc);
	hc.hc_max_hosts = HOSTS;
	hc.hc_file = file;
	hd = hostdb_new(&hc, sv);
	ld = hostdb_loader_new(hd);
	for (i = 0; i < HOSTS; i++) {
		memset(&hh, 0, sizeof(hh));
		hh.hh_family = AF_INET;
		addr_of(hh.hh_addr, i);
		hh.hh_first_seen = hh.hh_last_seen = now;
		hh.hh_sessions = 1;
		hh.hh_name_time = now;	/* fresh: not asked again */
		name_of(name, sizeof(name), i);
		hh.hh_name = name;
		hh.hh_nservices = 1;
		hh.hh_services[0].hv_service = services_other(sv);
		hh.hh_services[0].hv_counts.sc_octets_in = 1000 + i;
		hh.hh_services[0].hv_counts.sc_packets_in = 1;
		if (hostdb_loader_add(ld, &hh) < 0) {
			printf("# host %u: %s\n", i, strerror(errno));
			break;
		}
	}
	if (i < HOSTS || hostdb_loader_commit(ld, 0) < 0 ||
	    window(hd, now * SEC, 3) < 0 || hostdb_save(hd) < 0) {
		printf("# cannot make the file\n");
		return 1;
	}
	hostdb_free(hd);
	hc.hc_max_hosts = CAP;
	hd = hostdb_new(&hc, sv);
	CHECK(hostdb_load(hd) == HOSTDB_LOAD_OK, "%u named hosts loaded "
	    "under a cap of %u", HOSTS, CAP);
	/* The compaction runs in a window's names step, with a resolver. */
	resolver_config_default(&rc);
	res = resolver_new(&rc);
	hostdb_set_resolver(hd, res);

	/* Evicting down to the cap leaves ~2 MB of garbage: compaction,
	 * whose second chunk is refused. */
	chunk_countdown = 2;
	window(hd, now * SEC, 1);
	chunk_countdown = 0;
	CHECK(refused == 1, "the compaction ran and its second chunk was "
	    "refused");
	CHECK(names_ok(hd, &checked) && checked > CAP / 2,
	    "after the failed compaction every host keeps its own name "
	    "(%zu checked)", checked);

	/* With memory again, the next window compacts for real. */
	window(hd, now * SEC + 30 * SEC, 2);
	CHECK(names_ok(hd, &checked) && checked > CAP / 2,
	    "after a compaction that succeeds, too (%zu checked)", checked);
	hostdb_set_resolver(hd, NULL);
	resolver_free(res);
	hostdb_free(hd);
	services_free(sv);
	fixture_remove_dir(dir);
	return check_done();
}
#endif
