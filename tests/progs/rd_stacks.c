/* rd_stacks.c: N traced calls from N distinct call stacks, for the
 * reader's memory and output tests.  Call i descends D levels (2^D >= N),
 * choosing at level k between two functions by bit k of i, then makes one
 * failing socket() call (an invalid type: EINVAL, nothing is created).
 * With FIRST, calls FIRST .. FIRST+N-1 are made (the depth is that of
 * FIRST+N): several processes then make disjoint sets of stacks (the
 * library interns at most 65536 per process).  Prints the calls made.
 *
 *	rd_stacks N [FIRST] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

static unsigned long made;

__attribute__((noinline)) static void leaf(void)
{
	if (socket(AF_UNIX, 0x7ff, 0) < 0)
		made++;
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void walk_b(unsigned d, unsigned long bits);

/* the empty asm after each call keeps it from being a tail call: every
 * level leaves its own return address on the stack */
__attribute__((noinline)) static void walk_a(unsigned d, unsigned long bits)
{
	if (!d)
		leaf();
	else if (bits & 1)
		walk_b(d - 1, bits >> 1);
	else
		walk_a(d - 1, bits >> 1);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void walk_b(unsigned d, unsigned long bits)
{
	if (!d)
		leaf();
	else if (bits & 1)
		walk_b(d - 1, bits >> 1);
	else
		walk_a(d - 1, bits >> 1);
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 16;
	unsigned long first = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
	unsigned d = 0;

	while (d < 40 && (1ul << d) < first + n)
		d++;
	for (unsigned long i = first; i < first + n; i++)
		walk_a(d, i);
	printf("calls=%lu depth=%u\n", made, d);
	return made == n ? 0 : 1;
}
