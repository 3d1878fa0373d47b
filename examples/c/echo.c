/*
 * Sends every message received straight back, unchanged.
 * Build: make examples (or cc -o examples/c/echo examples/c/echo.c)
 * Run: websocketd --port=8080 examples/c/echo
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;

    /* stdout is a pipe: line buffering sends each reply at its newline. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    while ((length = getline(&line, &capacity, stdin)) != -1) {
        fwrite(line, 1, (size_t)length, stdout);
        if (line[length - 1] != '\n')
            putchar('\n');
    }
    free(line);
    return 0;
}
