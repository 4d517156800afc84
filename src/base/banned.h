/*
 * banned.h - functions that are too easy to misuse. Forced into every
 * translation unit of src/ by the build (-include), so a use is a compile
 * error that names the function.
 */
#ifndef MAGNET_BASE_BANNED_H
#define MAGNET_BASE_BANNED_H

/* The system headers first: their include guards then keep the banned
 * declarations below from being re-read through a later #include. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BANNED(func) sorry_##func##_is_banned_in_magnet

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef gets
#define gets(x) BANNED(gets)

#endif
