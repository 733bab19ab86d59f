/*
 * crc32c: CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected
 * 0x82F63B78), the checksum of iSCSI (RFC 3720, appendix B.4), ext4 and
 * Btrfs metadata.  It catches every burst error up to 32 bits and every
 * odd number of bit errors, which a sum does not, and is not a secret:
 * it guards saved files against damage, not against forgery.
 *
 * Software, slicing-by-8 (eight 1 KB tables, built once on first use,
 * thread-safe): about 1.5-2 GB/s on one core, so a 100 MB file costs
 * tens of milliseconds.  crc32c("123456789") is 0xE3069283.
 */
#ifndef CRC32C_H
#define CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continues crc (0 to start) over len more bytes; the result of one call
 * feeds the next, so a stream can be checked in pieces. */
uint32_t	crc32c_update(uint32_t crc, const void *data, size_t len);

#endif
