/*
 * Counts from 1 to 10, one number per message, pausing half a second
 * between numbers, then exits.
 * Build: make examples (or cc -o examples/c/count examples/c/count.c)
 * Run: websocketd --port=8080 examples/c/count
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

int main(void)
{
    const struct timespec half_second = {0, 500000000L};

    for (int i = 1; i <= 10; i++) {
        printf("%d\n", i);
        /* stdout is a pipe, so stdio would keep the line until exit. */
        fflush(stdout);
        if (i < 10)
            nanosleep(&half_second, NULL);
    }
    return 0;
}
