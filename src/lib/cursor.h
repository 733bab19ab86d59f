/*
 * cursor: a bounds-checked reader over a const byte buffer.
 *
 * Untrusted bytes (packets, netlink replies, saved files) are read only
 * through a cursor, in the manner of tcpdump's GET_BE_U_2(): every read
 * checks what is left first and fails with -1, leaving the cursor and the
 * output untouched, instead of reading past the end.  Nothing here casts
 * the buffer to a struct, so alignment and padding never matter.
 *
 * Invariant: cu_pos <= cu_len, and only cu_data[0 .. cu_len) is ever read.
 * The cursor does not own cu_data.
 */
#ifndef CURSOR_H
#define CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t	*cu_data;
	size_t		 cu_len;	/* readable bytes from cu_data */
	size_t		 cu_pos;	/* next byte to read */
};

static inline void
cursor_init(struct cursor *c, const void *data, size_t len)
{
	c->cu_data = data;
	c->cu_len = len;
	c->cu_pos = 0;
}

static inline size_t
cursor_pos(const struct cursor *c)
{
	return c->cu_pos;
}

static inline size_t
cursor_remaining(const struct cursor *c)
{
	return c->cu_len - c->cu_pos;
}

/*
 * Shortens what is left to at most n bytes, e.g. to an IP header's own
 * length so that link-layer padding is never taken for a transport header.
 * Never lengthens.
 */
static inline void
cursor_limit(struct cursor *c, size_t n)
{
	if (n < cursor_remaining(c))
		c->cu_len = c->cu_pos + n;
}

static inline int
cursor_skip(struct cursor *c, size_t n)
{
	if (n > cursor_remaining(c))
		return -1;
	c->cu_pos += n;
	return 0;
}

/* Reads the next byte without moving. */
static inline int
cursor_peek_u8(const struct cursor *c, uint8_t *v)
{
	if (cursor_remaining(c) < 1)
		return -1;
	*v = c->cu_data[c->cu_pos];
	return 0;
}

static inline int
cursor_get_u8(struct cursor *c, uint8_t *v)
{
	if (cursor_peek_u8(c, v) == -1)
		return -1;
	c->cu_pos++;
	return 0;
}

static inline int
cursor_get_be16(struct cursor *c, uint16_t *v)
{
	const uint8_t *p;

	if (cursor_remaining(c) < 2)
		return -1;
	p = c->cu_data + c->cu_pos;
	*v = (uint16_t)((unsigned)p[0] << 8 | p[1]);
	c->cu_pos += 2;
	return 0;
}

static inline int
cursor_get_be32(struct cursor *c, uint32_t *v)
{
	const uint8_t *p;

	if (cursor_remaining(c) < 4)
		return -1;
	p = c->cu_data + c->cu_pos;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	c->cu_pos += 4;
	return 0;
}

static inline int
cursor_get_le32(struct cursor *c, uint32_t *v)
{
	const uint8_t *p;

	if (cursor_remaining(c) < 4)
		return -1;
	p = c->cu_data + c->cu_pos;
	*v = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
	c->cu_pos += 4;
	return 0;
}

/*
 * A 16-bit field in the byte order of the host that wrote it, taken to be
 * ours: netlink attribute headers (NFLOG), which libpcap turns to our order
 * when it reads a file written the other way round.
 */
static inline int
cursor_get_host16(struct cursor *c, uint16_t *v)
{
	if (cursor_remaining(c) < 2)
		return -1;
	memcpy(v, c->cu_data + c->cu_pos, 2);
	c->cu_pos += 2;
	return 0;
}

/* Copies the next n bytes to dst. */
static inline int
cursor_get_bytes(struct cursor *c, void *dst, size_t n)
{
	if (n > cursor_remaining(c))
		return -1;
	memcpy(dst, c->cu_data + c->cu_pos, n);
	c->cu_pos += n;
	return 0;
}

#endif
