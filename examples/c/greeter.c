/*
 * Replies "Hello, <name>!" to every message received; exits when the
 * connection (stdin) closes.
 * Build: make examples (or cc -o examples/c/greeter examples/c/greeter.c)
 * Run: websocketd --port=8080 examples/c/greeter
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
        if (length > 0 && line[length - 1] == '\n')
            length--;
        if (length > 0 && line[length - 1] == '\r')
            length--;
        fputs("Hello, ", stdout);
        fwrite(line, 1, (size_t)length, stdout); /* the name may hold a NUL */
        fputs("!\n", stdout);
    }
    free(line);
    return 0;
}
