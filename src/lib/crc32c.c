/*
 * crc32c: table-driven CRC-32C, eight bytes a step ("slicing-by-8",
 * Kounavis and Berry, Intel, 2005).  Table k maps a byte to its CRC
 * after k further zero bytes, so eight lookups fold eight input bytes.
 */
#include <pthread.h>
#include <string.h>

#include "lib/crc32c.h"

#define CRC32C_POLY	0x82F63B78u	/* reflected 0x1EDC6F41 */

static uint32_t		crc32c_table[8][256];
static pthread_once_t	crc32c_once = PTHREAD_ONCE_INIT;

static void
crc32c_init(void)
{
	uint32_t	c;
	unsigned int	i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? c >> 1 ^ CRC32C_POLY : c >> 1;
		crc32c_table[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (k = 1; k < 8; k++)
			crc32c_table[k][i] = crc32c_table[k - 1][i] >> 8 ^
			    crc32c_table[0][crc32c_table[k - 1][i] & 0xff];
}

uint32_t
crc32c_update(uint32_t crc, const void *data, size_t len)
{
	const uint8_t	*p = data;
	uint32_t	 lo, hi;

	pthread_once(&crc32c_once, crc32c_init);
	crc = ~crc;
	for (; len >= 8; p += 8, len -= 8) {
		lo = ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
		    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24) ^ crc;
		hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 |
		    (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
		crc = crc32c_table[7][lo & 0xff] ^
		    crc32c_table[6][lo >> 8 & 0xff] ^
		    crc32c_table[5][lo >> 16 & 0xff] ^
		    crc32c_table[4][lo >> 24] ^
		    crc32c_table[3][hi & 0xff] ^
		    crc32c_table[2][hi >> 8 & 0xff] ^
		    crc32c_table[1][hi >> 16 & 0xff] ^
		    crc32c_table[0][hi >> 24];
	}
	while (len-- > 0)
		crc = crc >> 8 ^ crc32c_table[0][(crc ^ *p++) & 0xff];
	return ~crc;
}
