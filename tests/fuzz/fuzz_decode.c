/*
 * libFuzzer target for the packet decoder.  The first byte picks a link
 * type: one of those decode_packet() knows, or (last choice) any int taken
 * from the next two bytes; the rest is the packet, ending exactly where
 * libFuzzer's buffer ends so ASan sees any read past caplen.  Besides
 * crashes and sanitizer reports, the result is checked against the bytes.
 */
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <pcap/dlt.h>

#include "capture/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const int linktypes[] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, 101, DLT_IPV4,
	DLT_IPV6, DLT_NULL, DLT_LOOP, DLT_PPP, DLT_PPP_SERIAL, DLT_C_HDLC,
	DLT_PPP_ETHER, DLT_PPP_WITH_DIR, DLT_NFLOG,
};
#define NLINKTYPES (sizeof(linktypes) / sizeof(linktypes[0]))

/* What must hold of any decode; abort() makes libFuzzer keep the input. */
static void
check(const struct decode_pkt *dp, enum decode_result r, int linktype,
    const uint8_t *pkt, size_t caplen)
{
	size_t off = dp->dp_ip_offset;
	uint32_t not_ip;

	if ((unsigned)r >= DECODE_NRESULTS || dp->dp_result != r ||
	    dp->dp_vlans > DECODE_MAX_VLANS)
		abort();
	if (decode_linktype_supported(linktype) !=
	    (r != DECODE_UNSUPPORTED_LINK))
		abort();
	if (!(dp->dp_flags & DECODE_F_PORTS) &&
	    (dp->dp_sport != 0 || dp->dp_dport != 0))
		abort();
	/* Kinds: only known bits; a kind that is not IP exactly when the
	 * result is "not IP", and then only one. */
	not_ip = dp->dp_kinds & (~0u << DECODE_KIND_FIRST_NOT_IP);
	if (dp->dp_kinds >> DECODE_NKINDS != 0 ||
	    (r == DECODE_NOT_IP) != (not_ip != 0) ||
	    (not_ip & (not_ip - 1)) != 0)
		abort();
	if (linktype == DLT_NFLOG && r == DECODE_OK &&
	    (dp->dp_wire_len == 0 || dp->dp_wire_len > 65535 + 40))
		abort();
	if (r != DECODE_OK)
		return;
	if (dp->dp_ipver == 4 && (dp->dp_family != AF_INET ||
	    off + 20 > caplen || pkt[off] >> 4 != 4))
		abort();
	if (dp->dp_ipver == 6 && (dp->dp_family != AF_INET6 ||
	    off + 40 > caplen || pkt[off] >> 4 != 6))
		abort();
	if (dp->dp_ipver != 4 && dp->dp_ipver != 6)
		abort();
	if ((dp->dp_flags & DECODE_F_PORTS) && (dp->dp_flags &
	    (DECODE_F_LATER_FRAGMENT | DECODE_F_L4_TRUNCATED)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_pkt dp;
	enum decode_result r;
	size_t pick;
	int linktype;

	if (size < 1)
		return 0;
	pick = data[0] % (NLINKTYPES + 1);
	data++, size--;
	if (pick < NLINKTYPES) {
		linktype = linktypes[pick];
	} else {
		if (size < 2)
			return 0;
		linktype = data[0] << 8 | data[1];
		data += 2, size -= 2;
	}
	if (size > UINT32_MAX - 100)
		return 0;
	r = decode_packet(&dp, linktype, data, (uint32_t)size,
	    (uint32_t)size + 100);
	check(&dp, r, linktype, data, size);
	(void)decode_result_name(r);
	return 0;
}
