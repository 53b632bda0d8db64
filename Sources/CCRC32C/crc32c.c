// CRC-32C with SSE4.2's crc32 instruction, for the deptrace executable to hand
// to the core (which has no C) through CRC32C.install. Compiled for SSE4.2 by
// a function attribute only, so the rest of the program runs on any x86-64 and
// the instruction is used only after the run-time check says it exists.
#include "CCRC32C.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>

int deptrace_crc32c_hardware_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

__attribute__((target("sse4.2")))
uint32_t deptrace_crc32c_hardware(uint32_t crc, const void *data, size_t length) {
    const unsigned char *bytes = (const unsigned char *)data;
    uint64_t state = (uint32_t)~crc;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);  // unaligned load
        state = _mm_crc32_u64(state, word);
        bytes += 8;
        length -= 8;
    }
    uint32_t tail = (uint32_t)state;
    while (length > 0) {
        tail = _mm_crc32_u8(tail, *bytes);
        bytes += 1;
        length -= 1;
    }
    return ~tail;
}

#else

int deptrace_crc32c_hardware_available(void) { return 0; }

uint32_t deptrace_crc32c_hardware(uint32_t crc, const void *data, size_t length) {
    (void)data;
    (void)length;
    return crc;  // never called: the check above says no
}

#endif
