/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the capability parser expects from the kernel, for userspace builds
 * (fuzzer, layout tool).  Force-included with -include before the parser.
 */
#ifndef _VPL_USER_H
#define _VPL_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), #cond)

#endif /* _VPL_USER_H */
