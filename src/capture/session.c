/*
 * session: folding packets into the sessions of one window.
 *
 * A packet costs two prefix scans (which end is local), two port-map
 * reads (the service), one SipHash of the packed key (12 bytes for IPv4,
 * 36 for IPv6), one probe run in the hash and a few additions
 * (session_prepare(), session_apply()).  What dominates with a large
 * table is two cache misses, the hash slot and then the entry it names;
 * session_add_batch() overlaps those of 32 packets.  New sessions,
 * growth and the overflow entry are kept apart in session_new_entry().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "capture/session.h"
#include "lib/hash.h"

#define SESSION_MIN_ENTRIES	1024
#define SESSION_BATCH		32	/* packets whose misses overlap */
/* The overflow sketch: 2^12 HyperLogLog registers (Flajolet et al.,
 * 2007), fed with the 32 hash bits the table does not use. */
#define SESSION_HLL_BITS	12
#define SESSION_HLL_REGS	(1u << SESSION_HLL_BITS)

_Static_assert(sizeof(struct session_key) == 36, "session key is packed");
_Static_assert(sizeof(struct session) == 80, "a session is 80 bytes");

struct session_table {
	struct session		*st_entries;
	uint32_t		 st_count;	/* sessions, in the hash */
	uint32_t		 st_cap;	/* entries allocated */
	uint32_t		 st_max;	/* maxSessions */
	int			 st_overflowed;	/* entry st_count is overflow */
	struct hash		*st_hash;
	const struct services	*st_services;
	const struct localnet	*st_localnet;
	unsigned int		 st_other;	/* services index of "other" */
	int64_t			 st_start_us;
	struct session_totals	 st_totals;
	uint8_t			 st_hll[SESSION_HLL_REGS];
};

/* A packet made ready for the table: its key, hash and direction. */
struct session_prep {
	struct session_key	sp_key;
	uint8_t			sp_flags;
	uint8_t			sp_out;		/* local (or lower) -> remote */
	uint16_t		sp_service;
	uint16_t		sp_source;
	uint32_t		sp_len;
	uint32_t		sp_tick;
	uint32_t		sp_peek;	/* hash_peek()'s guess, batches */
	uint64_t		sp_hv;
};

/* Key equality in five loads a side instead of a call to memcmp(): the
 * per-packet path compares one key a packet. */
static inline int
session_key_eq(const struct session_key *a, const struct session_key *b)
{
	uint64_t	x[4], y[4];
	uint32_t	xt, yt;

	_Static_assert(sizeof(x) + sizeof(xt) == sizeof(*a), "key words");
	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	memcpy(&xt, (const uint8_t *)a + sizeof(x), sizeof(xt));
	memcpy(&yt, (const uint8_t *)b + sizeof(y), sizeof(yt));
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) |
	    (x[3] ^ y[3]) | (xt ^ yt)) == 0;
}

static int
session_eq(const void *key, uint32_t index, void *arg)
{
	const struct session_table	*st = arg;

	return session_key_eq(&st->st_entries[index].se_key, key);
}

struct session_table *
session_table_new(size_t max_sessions, const struct services *sv,
    const struct localnet *ln, int64_t start_us)
{
	struct session_table	*st;

	if (max_sessions == 0)
		max_sessions = SESSION_MAX_DEFAULT;
	if (max_sessions > UINT32_MAX - 2) {
		errno = EINVAL;
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->st_max = (uint32_t)max_sessions;
	/* One spare entry always, for the overflow entry. */
	st->st_cap = max_sessions < SESSION_MIN_ENTRIES ?
	    (uint32_t)max_sessions + 1 : SESSION_MIN_ENTRIES;
	st->st_entries = malloc((size_t)st->st_cap * sizeof(*st->st_entries));
	st->st_hash = hash_new(st->st_cap, max_sessions, session_eq, st);
	if (st->st_entries == NULL || st->st_hash == NULL) {
		session_table_free(st);
		return NULL;
	}
	st->st_services = sv;
	st->st_localnet = ln;
	st->st_other = services_other(sv);
	st->st_start_us = start_us;
	return st;
}

void
session_table_free(struct session_table *st)
{
	if (st == NULL)
		return;
	hash_free(st->st_hash);
	free(st->st_entries);
	free(st);
}

void
session_table_clear(struct session_table *st, int64_t start_us)
{
	hash_clear(st->st_hash);
	st->st_count = 0;
	if (st->st_overflowed)
		memset(st->st_hll, 0, sizeof(st->st_hll));
	st->st_overflowed = 0;
	memset(&st->st_totals, 0, sizeof(st->st_totals));
	st->st_start_us = start_us;
}

static uint32_t
session_tick(const struct session_table *st, int64_t ts_us)
{
	int64_t	d = ts_us - st->st_start_us;

	if (d <= 0)
		return 0;
	d >>= SESSION_TICK_SHIFT;
	return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

static void
session_hll_add(struct session_table *st, uint64_t hv)
{
	uint32_t	reg = (uint32_t)(hv >> (64 - SESSION_HLL_BITS));
	uint32_t	rest = (uint32_t)(hv >> 32) << SESSION_HLL_BITS;
	uint8_t		rank;

	/* Rank: position of the first 1 bit in the 20 bits left, from 1. */
	rank = rest == 0 ? 33 - SESSION_HLL_BITS :
	    (uint8_t)(__builtin_clz(rest) + 1);
	if (rank > st->st_hll[reg])
		st->st_hll[reg] = rank;
}

static void
session_init_entry(struct session *se, const struct session_key *key,
    unsigned int service, uint8_t flags, uint32_t tick, uint16_t source)
{
	memset(se, 0, sizeof(*se));
	se->se_key = *key;
	se->se_service = (uint8_t)service;
	se->se_flags = flags;
	se->se_source = source;
	se->se_first = tick;
	se->se_last = tick;
}

/* The index of the overflow entry, made at the first fold. */
static uint32_t
session_fold(struct session_table *st, uint64_t hv, uint32_t tick,
    uint16_t source)
{
	struct session_key	none;

	session_hll_add(st, hv);
	if (!st->st_overflowed) {
		memset(&none, 0, sizeof(none));
		session_init_entry(&st->st_entries[st->st_count], &none,
		    st->st_other, SESSION_OVERFLOW, tick, source);
		st->st_overflowed = 1;
	}
	return st->st_count;
}

/* Room for one more session and the spare entry, or -1. */
static int
session_reserve(struct session_table *st)
{
	struct session	*grown;
	uint64_t	 cap;

	if (st->st_count + 2 <= st->st_cap)
		return 0;
	cap = (uint64_t)st->st_cap * 2;
	if (cap > (uint64_t)st->st_max + 1)
		cap = (uint64_t)st->st_max + 1;
	if (cap <= st->st_cap)
		return -1;
	grown = realloc(st->st_entries, cap * sizeof(*grown));
	if (grown == NULL)
		return -1;
	st->st_entries = grown;
	st->st_cap = (uint32_t)cap;
	return 0;
}

/* The index of a session not in the table: a new entry, or the overflow
 * entry when the table is full (or cannot grow). */
static uint32_t
session_new_entry(struct session_table *st, const struct session_prep *sp)
{
	uint32_t	idx = st->st_count;

	if (st->st_overflowed || st->st_count >= st->st_max ||
	    session_reserve(st) < 0 ||
	    hash_insert(st->st_hash, (uint32_t)sp->sp_hv, idx) < 0)
		return session_fold(st, sp->sp_hv, sp->sp_tick, sp->sp_source);
	session_init_entry(&st->st_entries[idx], &sp->sp_key, sp->sp_service,
	    sp->sp_flags, sp->sp_tick, sp->sp_source);
	st->st_count++;
	return idx;
}

/* The bytes of a key that vary, packed: 12 for IPv4, 36 for IPv6. */
static size_t
session_pack(const struct session_key *key, uint8_t *buf)
{
	if (key->sk_family == AF_INET) {
		memcpy(buf, key->sk_local, 4);
		memcpy(buf + 4, key->sk_remote, 4);
		memcpy(buf + 8, &key->sk_port, 4);	/* port, proto, family */
		return 12;
	}
	memcpy(buf, key, sizeof(*key));
	return sizeof(*key);
}

static void
session_tally(struct session_counts *sc, int out, uint32_t len)
{
	if (out) {
		sc->sc_octets_out += len;
		sc->sc_packets_out++;
	} else {
		sc->sc_octets_in += len;
		sc->sc_packets_in++;
	}
}

/*
 * Classifies a packet and builds its key.  0 when it goes to a session,
 * 1 when it is already counted (both ends local), -1 when it did not
 * decode.
 */
static int
session_prepare(struct session_table *st, const struct decode_pkt *dp,
    int64_t ts_us, unsigned int source, struct session_prep *sp)
{
	struct session_totals	*tt = &st->st_totals;
	uint8_t			 packed[sizeof(sp->sp_key)];
	unsigned int		 sides;

	if (dp->dp_result != DECODE_OK)
		return -1;
	sides = localnet_sides(st->st_localnet, dp->dp_family, dp->dp_src,
	    dp->dp_dst);
	if (sides == (LOCALNET_SRC | LOCALNET_DST)) {
		tt->tt_local_octets += dp->dp_wire_len;
		tt->tt_local_packets++;
		return 1;
	}
	sp->sp_flags = 0;
	if (sides == 0) {
		sp->sp_flags = SESSION_TRANSIT;
		sp->sp_out = memcmp(dp->dp_src, dp->dp_dst,
		    sizeof(dp->dp_src)) <= 0;
	} else
		sp->sp_out = sides == LOCALNET_SRC;
	memcpy(sp->sp_key.sk_local, sp->sp_out ? dp->dp_src : dp->dp_dst,
	    sizeof(sp->sp_key.sk_local));
	memcpy(sp->sp_key.sk_remote, sp->sp_out ? dp->dp_dst : dp->dp_src,
	    sizeof(sp->sp_key.sk_remote));
	if (dp->dp_flags & DECODE_F_PORTS)
		sp->sp_service = (uint16_t)services_classify(st->st_services,
		    dp->dp_proto, dp->dp_sport, dp->dp_dport,
		    &sp->sp_key.sk_port);
	else {
		sp->sp_service = (uint16_t)st->st_other;
		sp->sp_key.sk_port = 0;
	}
	sp->sp_key.sk_proto = dp->dp_proto;
	sp->sp_key.sk_family = dp->dp_family;
	sp->sp_source = (uint16_t)source;
	sp->sp_len = dp->dp_wire_len;
	sp->sp_tick = session_tick(st, ts_us);
	sp->sp_hv = hash_compute(st->st_hash, packed,
	    session_pack(&sp->sp_key, packed));
	return 0;
}

/* Adds a prepared packet to its session and the totals.  A batch has
 * peeked at the first slot holding the packet's hash: when the entry
 * there has the key it is the session (indexes do not move within a
 * window), and the probe is not walked again. */
static void
session_apply(struct session_table *st, const struct session_prep *sp)
{
	struct session_totals	*tt = &st->st_totals;
	struct session		*se;
	uint32_t		 idx = sp->sp_peek;

	if (idx == HASH_NONE ||
	    !session_key_eq(&st->st_entries[idx].se_key, &sp->sp_key))
		idx = hash_find(st->st_hash, (uint32_t)sp->sp_hv,
		    &sp->sp_key);
	if (idx == HASH_NONE)
		idx = session_new_entry(st, sp);
	se = &st->st_entries[idx];
	if (sp->sp_tick > se->se_last)
		se->se_last = sp->sp_tick;
	else if (sp->sp_tick < se->se_first)
		se->se_first = sp->sp_tick;
	if (sp->sp_out) {
		se->se_octets_out += sp->sp_len;
		se->se_packets_out++;
	} else {
		se->se_octets_in += sp->sp_len;
		se->se_packets_in++;
	}
	if (sp->sp_flags & SESSION_TRANSIT) {
		session_tally(&tt->tt_transit, sp->sp_out, sp->sp_len);
		return;
	}
	session_tally(&tt->tt_remote, sp->sp_out, sp->sp_len);
	session_tally(&tt->tt_by_proto[sp->sp_key.sk_proto], sp->sp_out,
	    sp->sp_len);
	session_tally(&tt->tt_by_service[sp->sp_service], sp->sp_out,
	    sp->sp_len);
}

int
session_add_packet(struct session_table *st, const struct decode_pkt *dp,
    int64_t ts_us, unsigned int source)
{
	struct session_prep	sp;
	int			rc;

	if ((rc = session_prepare(st, dp, ts_us, source, &sp)) < 0) {
		errno = EINVAL;
		return -1;
	}
	sp.sp_peek = HASH_NONE;
	if (rc == 0)
		session_apply(st, &sp);
	return 0;
}

/*
 * Up to SESSION_BATCH packets in three passes, so that their cache misses
 * overlap instead of following one another: hash every key and prefetch
 * its home slot; prefetch the entry each slot names; then add.  A session
 * that one packet of the batch creates is found by the later ones, since
 * the last pass looks up again every key whose peeked entry is not its
 * own.
 */
static size_t
session_add_chunk(struct session_table *st, const struct decode_pkt *dp,
    const int64_t *ts_us, size_t n, unsigned int source)
{
	struct session_prep	sp[SESSION_BATCH];
	size_t			i, k = 0, bad = 0;
	uint32_t		idx;
	int			rc;

	for (i = 0; i < n; i++) {
		rc = session_prepare(st, &dp[i], ts_us[i], source, &sp[k]);
		if (rc < 0)
			bad++;
		if (rc != 0)
			continue;
		hash_prefetch(st->st_hash, (uint32_t)sp[k].sp_hv);
		k++;
	}
	for (i = 0; i < k; i++) {
		idx = hash_peek(st->st_hash, (uint32_t)sp[i].sp_hv);
		sp[i].sp_peek = idx;
		if (idx != HASH_NONE)
			__builtin_prefetch(&st->st_entries[idx], 1);
	}
	for (i = 0; i < k; i++)
		session_apply(st, &sp[i]);
	return bad;
}

size_t
session_add_batch(struct session_table *st, const struct decode_pkt *dp,
    const int64_t *ts_us, size_t n, unsigned int source)
{
	size_t	i, chunk, bad = 0;

	for (i = 0; i < n; i += chunk) {
		chunk = n - i < SESSION_BATCH ? n - i : SESSION_BATCH;
		bad += session_add_chunk(st, dp + i, ts_us + i, chunk,
		    source);
	}
	return bad;
}

const struct session *
session_table_entries(const struct session_table *st, size_t *n)
{
	*n = st->st_count + (st->st_overflowed ? 1 : 0);
	return st->st_entries;
}

const struct session_totals *
session_table_totals(const struct session_table *st)
{
	return &st->st_totals;
}

int64_t
session_table_start(const struct session_table *st)
{
	return st->st_start_us;
}

size_t
session_table_count(const struct session_table *st)
{
	return st->st_count;
}

size_t
session_table_max(const struct session_table *st)
{
	return st->st_max;
}

/* Natural logarithm without libm: x = m * 2^k, ln m = 2 atanh((m-1)/(m+1)),
 * a series that converges fast for m in [1, 2). */
static double
session_ln(double x)
{
	double	y, y2, term, sum = 0;
	int	k = 0, n;

	while (x >= 2.0) {
		x *= 0.5;
		k++;
	}
	while (x < 1.0) {
		x *= 2.0;
		k--;
	}
	y = (x - 1) / (x + 1);
	y2 = y * y;
	for (term = y, n = 1; n < 41; n += 2, term *= y2)
		sum += term / n;
	return 2 * sum + k * 0.69314718055994530942;
}

uint64_t
session_table_overflowed(const struct session_table *st)
{
	const double	m = SESSION_HLL_REGS;
	double		sum = 0, e;
	unsigned int	i, zeros = 0;

	if (!st->st_overflowed)
		return 0;
	for (i = 0; i < SESSION_HLL_REGS; i++) {
		sum += 1.0 / (double)(1u << st->st_hll[i]);
		zeros += st->st_hll[i] == 0;
	}
	e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	/* Small counts: linear counting over the empty registers. */
	if (e <= 2.5 * m && zeros > 0)
		e = m * session_ln(m / zeros);
	return (uint64_t)(e + 0.5);
}

size_t
session_table_memory(const struct session_table *st)
{
	return sizeof(*st) + (size_t)st->st_cap * sizeof(*st->st_entries) +
	    hash_memory(st->st_hash);
}

static int
session_cmp_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	int	c = memcmp(a, b, n);

	return c < 0 ? -1 : c > 0;
}

int
session_key_cmp(const struct session_key *a, const struct session_key *b)
{
	int	c;

	if (a->sk_family != b->sk_family)
		return a->sk_family < b->sk_family ? -1 : 1;
	if (a->sk_proto != b->sk_proto)
		return a->sk_proto < b->sk_proto ? -1 : 1;
	if ((c = session_cmp_bytes(a->sk_local, b->sk_local, 16)) != 0)
		return c;
	if ((c = session_cmp_bytes(a->sk_remote, b->sk_remote, 16)) != 0)
		return c;
	if (a->sk_port != b->sk_port)
		return a->sk_port < b->sk_port ? -1 : 1;
	return 0;
}
