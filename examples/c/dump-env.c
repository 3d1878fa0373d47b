/*
 * Prints every environment variable as NAME=value, sorted by name, then
 * exits. Useful for inspecting the CGI-style variables websocketd sets.
 * Build: make examples (or cc -o examples/c/dump-env examples/c/dump-env.c)
 * Run: websocketd --port=8080 examples/c/dump-env
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

/* Orders "NAME=value" entries by NAME alone: comparing whole entries would
 * put "A1=x" before "A=x", since '1' sorts before '='. */
static int by_name(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t x_name = strcspn(x, "="), y_name = strcspn(y, "=");
    int order = strncmp(x, y, x_name < y_name ? x_name : y_name);

    if (order != 0)
        return order;
    return (x_name > y_name) - (x_name < y_name);
}

int main(void)
{
    size_t count = 0;

    while (environ[count] != NULL)
        count++;
    qsort(environ, count, sizeof *environ, by_name);
    for (size_t i = 0; i < count; i++)
        puts(environ[i]);
    return 0;
}
