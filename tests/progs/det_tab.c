/* det_tab.c: the fixed-capacity table behind the detectors' state
 * (src/preload/core/tab.c), driven directly: inserts up to capacity, equal
 * keys, removal from chains, free-list reuse, a long insert/remove loop
 * that must stay in the same slots, and clear.  Prints one line per
 * check: "name ok" or "name FAIL ...". */
#include <stdio.h>
#include <string.h>

#include "../../src/preload/core/tab.c"

struct ent {
	struct ipcg_tab_hdr h;
	int val;
};

static int fails;

static void check(const char *name, int cond)
{
	printf("%s %s\n", name, cond ? "ok" : "FAIL");
	fails += !cond;
}

int main(void)
{
	struct ipcg_tab t = { 0 };
	struct ent *e;
	int i, n;

	check("init", ipcg_tab_init(&t, sizeof(struct ent), 64, 8) == 0);
	for (i = 0; i < 64; i++) {
		e = ipcg_tab_insert(&t, (uint64_t)i * 4096);	/* page-aligned keys, 8 buckets: long chains */
		if (e)
			e->val = i;
	}
	check("fill-to-capacity", t.count == 64);
	check("full-refuses", ipcg_tab_insert(&t, 1) == NULL);
	for (i = 0, n = 0; i < 64; i++) {
		e = ipcg_tab_find(&t, (uint64_t)i * 4096);
		n += e && e->val == i;
	}
	check("find-all", n == 64);
	/* remove every other one, from the middle of chains */
	for (i = 0; i < 64; i += 2)
		ipcg_tab_remove(&t, ipcg_tab_find(&t, (uint64_t)i * 4096));
	for (i = 0, n = 0; i < 64; i++)
		n += (ipcg_tab_find(&t, (uint64_t)i * 4096) != NULL) == (i % 2 == 1);
	check("remove-keeps-others", n == 64 && t.count == 32);
	/* freed slots are reused: no growth of the high-water mark */
	for (i = 0; i < 32; i++)
		ipcg_tab_insert(&t, 1000000 + (uint64_t)i);
	check("reuse-freed", t.count == 64 && t.hiwat == 64);
	ipcg_tab_clear(&t);
	check("clear", t.count == 0 && ipcg_tab_find(&t, 4096) == NULL);
	/* equal keys */
	ipcg_tab_insert(&t, 7);
	ipcg_tab_insert(&t, 7);
	ipcg_tab_insert(&t, 7);
	for (n = 0, e = ipcg_tab_find(&t, 7); e; e = ipcg_tab_find_next(&t, e))
		n++;
	check("equal-keys", n == 3);
	ipcg_tab_clear(&t);
	/* a million insert/remove cycles stay in slot 0 */
	for (i = 0; i < 1000000; i++)
		ipcg_tab_remove(&t, ipcg_tab_insert(&t, (uint64_t)i));
	check("cycles-flat", t.count == 0 && t.hiwat == 1);
	/* iteration sees exactly the live entries */
	for (i = 0; i < 10; i++)
		ipcg_tab_insert(&t, (uint64_t)i);
	ipcg_tab_remove(&t, ipcg_tab_find(&t, 3));
	for (i = 0, n = 0; i < (int)t.hiwat; i++)
		n += ipcg_tab_slot(&t, (uint32_t)i) != NULL;
	check("iterate", n == 9);
	return fails != 0;
}
