#ifndef CCRC32C_H
#define CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has SSE4.2's crc32 instruction, 0 otherwise (and on other architectures).
int deptrace_crc32c_hardware_available(void);

/// CRC-32C (Castagnoli) of `length` bytes at `data`, continuing from `crc`
/// (0 to start), with the crc32 instruction. Call only when
/// deptrace_crc32c_hardware_available() returned 1.
uint32_t deptrace_crc32c_hardware(uint32_t crc, const void *data, size_t length);

#endif
