/*
 * libFuzzer target for sockdiag_parse(): the input is a buffer of netlink
 * messages as a recv() would return it, handed over in libFuzzer's own
 * block (exactly its length, so ASan sees any read past it).  The first
 * byte picks whether sequence number and port id are checked.  Besides
 * crashes, sanitizer reports and hangs, the result is checked against the
 * bytes: no more sockets than whole messages, each of a family the parser
 * accepts, no tcp_info longer than the buffer.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "conns/sockdiag.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The messages a buffer can hold at most: each is at least a header. */
static size_t
max_messages(size_t len)
{
	return len / MNL_NLMSG_HDRLEN;
}

static void
check(const struct sd_list *sl, int rc, int err, size_t len)
{
	size_t i;

	if (rc < -1 || rc > 1)
		abort();
	if (rc == -1 && err == 0)
		abort();
	if (sl->sl_count > max_messages(len) || sl->sl_count > sl->sl_max ||
	    sl->sl_stats.st_messages > max_messages(len))
		abort();
	for (i = 0; i < sl->sl_count; i++) {
		const struct sd_sock *ss = &sl->sl_socks[i];

		if (ss->ss_sock_family != AF_INET &&
		    ss->ss_sock_family != AF_INET6)
			abort();
		if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
			abort();
		if (ss->ss_have_info ? ss->ss_info_len > len :
		    ss->ss_info_len != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_list	sl;
	uint8_t		*buf;
	uint32_t	seq = 0, portid = 0;
	int		rc;

	if (size < 1)
		return 0;
	/* Odd: check the sequence number 1 and port id 0 (a message with
	 * any other seq is an EPROTO error); even: check nothing. */
	if (data[0] & 1)
		seq = 1;
	data++, size--;
	/* Netlink messages start 4-aligned, as a recv() buffer does. */
	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	sockdiag_list_init(&sl, 64);
	errno = 0;
	rc = sockdiag_parse(&sl, buf, size, seq, portid);
	check(&sl, rc, errno, size);
	sockdiag_list_free(&sl);
	free(buf);
	return 0;
}
