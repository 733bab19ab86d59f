/*
 * pkt.h: a frame built byte by byte, for the decoder's tests and the
 * tools that write test captures (test_decode, test_decode_links,
 * mklinks).  Writing past the buffer aborts: a test's own mistake.
 */
#ifndef TEST_PKT_H
#define TEST_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

struct pkt {
	uint8_t	pk_b[4096];
	size_t	pk_len;
};

static inline void
put_u8(struct pkt *p, unsigned v)
{
	if (p->pk_len >= sizeof(p->pk_b))
		abort();
	p->pk_b[p->pk_len++] = (uint8_t)v;
}

static inline void
put_be16(struct pkt *p, unsigned v)
{
	put_u8(p, v >> 8);
	put_u8(p, v);
}

static inline void
put_be32(struct pkt *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p, v & 0xffff);
}

static inline void
put_le16(struct pkt *p, unsigned v)
{
	put_u8(p, v);
	put_u8(p, v >> 8);
}

static inline void
put_le32(struct pkt *p, uint32_t v)
{
	put_le16(p, v & 0xffff);
	put_le16(p, v >> 16);
}

static inline void
put_bytes(struct pkt *p, const void *b, size_t n)
{
	const uint8_t *s = b;

	while (n-- > 0)
		put_u8(p, *s++);
}

static inline void
put_fill(struct pkt *p, unsigned v, size_t n)
{
	while (n-- > 0)
		put_u8(p, v);
}

#endif
