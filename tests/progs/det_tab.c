/* det_tab.c: the library's hash table (src/preload/core/tab.c), driven
 * directly.  The keyed table: inserts up to capacity, equal keys, removal
 * from the middle of clusters, free-list reuse, a long insert/remove loop
 * that must stay in the same entries, and clear.  The probe under it:
 * collisions, a walk that wraps past the last slot, a full walk, deletion
 * inside and across the wrap (every other word still found), reinsertion,
 * and compare-and-swap claims from several threads at once.  Prints one
 * line per check: "name ok" or "name FAIL". */
#include <pthread.h>
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

/* --- the keyed table ----------------------------------------------------- */

static void keyed(void)
{
	struct ipcg_tab t = { 0 };
	struct ent *e;
	int i, n;

	check("init", ipcg_tab_init(&t, sizeof(struct ent), 64) == 0);
	for (i = 0; i < 64; i++) {
		e = ipcg_tab_insert(&t, (uint64_t)i * 4096);	/* page-aligned keys */
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
	/* remove every other one, from the middle of clusters */
	for (i = 0; i < 64; i += 2)
		ipcg_tab_remove(&t, ipcg_tab_find(&t, (uint64_t)i * 4096));
	for (i = 0, n = 0; i < 64; i++) {
		e = ipcg_tab_find(&t, (uint64_t)i * 4096);
		n += i % 2 ? e && e->val == i : e == NULL;
	}
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
	/* a million insert/remove cycles stay in slot 0, the index empties */
	for (i = 0; i < 1000000; i++)
		ipcg_tab_remove(&t, ipcg_tab_insert(&t, (uint64_t)i));
	for (i = 0, n = 0; i <= (int)t.index.mask; i++)
		n += *ipcg_htab_word(&t.index, (uint32_t)i) != 0;
	check("cycles-flat", t.count == 0 && t.hiwat == 1 && n == 0);
	/* iteration sees exactly the live entries */
	for (i = 0; i < 10; i++)
		ipcg_tab_insert(&t, (uint64_t)i);
	ipcg_tab_remove(&t, ipcg_tab_find(&t, 3));
	ipcg_tab_remove(&t, ipcg_tab_find(&t, 3));	/* not there: nothing */
	for (i = 0, n = 0; i < (int)t.hiwat; i++)
		n += ipcg_tab_slot(&t, (uint32_t)i) != NULL;
	check("iterate", n == 9 && t.count == 9);
	/* random removals and reinserts against a shadow copy */
	ipcg_tab_clear(&t);
	static int live[256];
	uint64_t rnd = 88172645463325252ull;
	for (i = 0, n = 0; i < 200000; i++) {
		rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
		int k = (int)(rnd % 256);
		e = ipcg_tab_find(&t, (uint64_t)k << 20);
		if ((e != NULL) != live[k])
			n++;
		if (e)
			ipcg_tab_remove(&t, e);
		else if ((e = ipcg_tab_insert(&t, (uint64_t)k << 20)))
			e->val = k;
		live[k] = e && e->h.used;
	}
	for (i = 0; i < 256; i++) {
		e = ipcg_tab_find(&t, (uint64_t)i << 20);
		n += (e != NULL) != live[i] || (e && e->val != i);
	}
	check("shadow-random", n == 0);
}

/* --- the probe ----------------------------------------------------------- */

#define PBITS 4
#define PN (1u << PBITS)

struct pslot {
	_Atomic uint64_t word;	/* key * 16 + home: the home is in the word */
	int val;
};

static struct pslot ps[PN];
static const struct ipcg_htab pr = { .slots = (char *)ps, .ssz = sizeof(ps[0]),
				      .mask = PN - 1, .max = PN };

static uint32_t phome(uint64_t w, const void *arg)
{
	(void)arg;
	return (uint32_t)(w % PN);
}

static int moves;

static void pmoved(uint32_t from, uint32_t to, uint64_t w, const void *arg)
{
	(void)w;
	(void)arg;
	moves += from != to;
}

/* insert word w (home w % PN), locked style: find the free slot, publish */
static struct pslot *pput(uint64_t w, int val)
{
	void *free_slot;
	struct pslot *s = ipcg_htab_find(&pr, (uint32_t)(w % PN), w, NULL, NULL, &free_slot);

	if (s || !free_slot)
		return NULL;
	s = free_slot;
	s->val = val;
	ipcg_htab_publish(s, w);
	return s;
}

static struct pslot *pget(uint64_t w)
{
	return ipcg_htab_find(&pr, (uint32_t)(w % PN), w, NULL, NULL, NULL);
}

static uint32_t pidx(const struct pslot *s)
{
	return (uint32_t)(s - ps);
}

static _Atomic uint64_t claimed[8][64];
static struct pslot cs[128];
static const struct ipcg_htab cpr = { .slots = (char *)cs, .ssz = sizeof(cs[0]),
				       .mask = 127, .max = 128 };

static void *claimer(void *arg)
{
	long t = (long)arg;

	for (int r = 0; r < 2000; r++)
		for (uint64_t k = 1; k <= 64; k++) {
			struct pslot *s = ipcg_htab_claim(&cpr, (uint32_t)(k % 8), k);	/* 8 homes: long clusters */
			if (s)
				claimed[t][k - 1] = (uint64_t)(s - cs) + 1;
		}
	return NULL;
}

static void probe(void)
{
	int n = 0;

	/* five words with home 14 of 16: they take 14, 15, then wrap to 0, 1, 2 */
	for (int i = 0; i < 5; i++)
		n += pput((uint64_t)(i + 1) * PN + 14, i) != NULL;
	check("probe-collisions", n == 5 && pidx(pget(1 * PN + 14)) == 14 &&
				      pidx(pget(5 * PN + 14)) == 2);
	check("probe-wraparound", pget(3 * PN + 14) == &ps[0] && pget(4 * PN + 14) == &ps[1] &&
				       pget(9 * PN + 14) == NULL);
	/* a word whose home (1) lies inside that cluster goes after it */
	pput(1 * PN + 1, 100);
	check("probe-home-in-cluster", pidx(pget(1 * PN + 1)) == 3);
	/* delete across the wrap (slot 15): every other word is still found */
	moves = 0;
	ipcg_htab_delete(&pr, 15, phome, pmoved, NULL);
	n = 0;
	for (int i = 0; i < 5; i++)
		n += i == 1 ? pget((uint64_t)(i + 1) * PN + 14) == NULL
			    : pget((uint64_t)(i + 1) * PN + 14) && pget((uint64_t)(i + 1) * PN + 14)->val == i;
	check("probe-delete-wrap", n == 5 && pget(1 * PN + 1) && pget(1 * PN + 1)->val == 100 &&
					moves == 4);
	/* each word moved one slot back, the home-1 word too: the cluster ends one earlier */
	check("probe-delete-shift", pidx(pget(3 * PN + 14)) == 15 && pidx(pget(5 * PN + 14)) == 1 &&
					 pidx(pget(1 * PN + 1)) == 2 && ps[3].word == 0);
	/* reinsert: it goes to the first free slot of its walk */
	check("probe-reinsert", pput(2 * PN + 14, 1) && pget(2 * PN + 14)->val == 1);
	/* fill every slot: a walk that meets no empty slot gives no free slot */
	for (uint64_t w = 100; w < 200 && pput(w * PN + 7, 0); w++)
		;
	void *free_slot = &ps[0];
	n = 0;
	for (uint32_t i = 0; i < PN; i++)
		n += ps[i].word != 0;
	check("probe-full", n == PN && ipcg_htab_find(&pr, 7, 999, NULL, NULL, &free_slot) == NULL &&
				free_slot == NULL && pput(999 * PN + 7, 0) == NULL);
	/* a walk is bounded by max, full or not */
	struct ipcg_htab short_pr = pr;
	short_pr.max = 2;
	check("probe-max", ipcg_htab_find(&short_pr, 14, 5 * PN + 14, NULL, NULL, NULL) == NULL &&
				ipcg_htab_find(&pr, 14, 5 * PN + 14, NULL, NULL, NULL) != NULL &&
				ipcg_htab_claim(&short_pr, 14, 12345) == NULL);
	/* claims from 8 threads at once: one slot per word, the same for all */
	pthread_t th[8];
	for (long t = 0; t < 8; t++)
		pthread_create(&th[t], NULL, claimer, (void *)t);
	for (int t = 0; t < 8; t++)
		pthread_join(th[t], NULL);
	n = 0;
	for (int k = 0; k < 64; k++) {
		for (int t = 1; t < 8; t++)
			n += claimed[t][k] != claimed[0][k];
		n += !claimed[0][k] || cs[claimed[0][k] - 1].word != (uint64_t)k + 1;
	}
	int used = 0;
	for (int i = 0; i < 128; i++)
		used += cs[i].word != 0;
	check("probe-claim-threads", n == 0 && used == 64);
	/* Fibonacci hashing: the top bits */
	check("hash-fib", ipcg_hash_fib(1, 12) == (uint32_t)(IPCG_GOLDEN64 >> 52) &&
			       ipcg_hash_fib(0, 12) == 0);
}

int main(void)
{
	keyed();
	probe();
	return fails != 0;
}
