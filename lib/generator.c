/* SPDX-License-Identifier: MIT */
/*
 * The generator: the userspace ChaCha20 provider.
 *
 * Each thread's state holds a key and a 1 KiB keystream buffer.  A refill
 * runs the selected ChaCha20 implementation for 16 blocks (one call of the
 * 16-wide one) from the current key; the first 32 bytes become the next key at
 * once ("fast key erasure"), the other 992 are output.  Bytes handed out are
 * zeroed in the buffer, so the state left behind never lets anyone
 * recompute output already given.
 *
 * The state memory may be zeroed under us: it is wiped in a forked child
 * (MADV_WIPEONFORK), and the fork may come from a signal handler that
 * interrupted a request at any instruction, which the child then finishes
 * on the zeroed page.  So a zeroed page must never be mistaken for a
 * seeded state, at whatever instant of a request it happens.  (The memory
 * is never MAP_DROPPABLE, so the kernel zeroes it at no other time; see
 * generator_probe().)  A zero magic word means "not seeded": the state
 * reseeds.  The rules that make zeroing at any instant harmless (the
 * kernel's vDSO follows the same ones for its droppable states):
 *   - seed() stores the magic word first, then (after a barrier) the key
 *     and the rest.  A wipe after the magic store zeroes the magic again,
 *     and the stores that follow land on the fresh zero page without
 *     setting it: the state can look seeded only if every store of the
 *     seed reached the page that is still there.
 *   - Nothing else ever sets the magic.  So within a request, a state that
 *     was wiped stays visibly wiped, unless the request itself
 *     reseeds; a reseed in the middle of a request (a budget running out
 *     at a refill) therefore first checks the state is still intact, and
 *     restarts the request if not.
 *   - After the output is written the magic is checked again (ordered
 *     after the buffer reads); if it is gone, the output may hold zeros or
 *     stream from a zero key, and the whole request is made again.
 */
#include "generator.h"
#include "chacha.h"
#include "generation.h"
#include "getrandom_abi.h"
#include "state_arena.h"
#include "syscall_path.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define STATE_MAGIC 0x7667722d63686163ull /* "vgr-chac" */
#define BUF_SIZE 1024u
#define KEY_SIZE 32u

struct generator_state {
	uint8_t buf[BUF_SIZE]; /* keystream; [pos, BUF_SIZE) not yet handed out */
	uint32_t key[8];
	uint64_t magic;        /* STATE_MAGIC while seeded; 0 = new or wiped */
	uint64_t generation;   /* vgr_generation when seeded */
	uint64_t bytes_left;   /* bytes generated until the next reseed */
	uint64_t reseed_at;    /* CLOCK_MONOTONIC_COARSE ns deadline */
	uint32_t pos;
};

static uint64_t budget_bytes = GENERATOR_RESEED_BYTES;
static uint64_t budget_ns = GENERATOR_RESEED_NS;

#ifdef VGR_TESTING
static unsigned long seeds;
#define COUNT_SEED() __atomic_add_fetch(&seeds, 1, __ATOMIC_RELAXED)

void vgr_test_generator_budgets(uint64_t bytes, uint64_t ns)
{
	budget_bytes = bytes ? bytes : GENERATOR_RESEED_BYTES;
	budget_ns = ns ? ns : GENERATOR_RESEED_NS;
}

unsigned long vgr_test_generator_seeds(void)
{
	return __atomic_load_n(&seeds, __ATOMIC_RELAXED);
}

const uint32_t *vgr_test_generator_key(const void *state)
{
	return ((const struct generator_state *)state)->key;
}
#else
#define COUNT_SEED() ((void)0)
#endif

/* The generator's states are ordinary private memory, wiped in a forked
 * child, never MAP_DROPPABLE: a page the kernel may zero at any instant is
 * what the vDSO's ABI asks for, and the vDSO copes with it, but the
 * generator gains nothing from it (its fork safety comes from
 * MADV_WIPEONFORK) and would have to survive it.  The store order below
 * makes a page zeroed between two stores detectable, but a page dropped by
 * MADV_DONTNEED from another thread can mix old and new contents, which no
 * store order detects (libvgetrandom(7), CAVEATS); memory the kernel never
 * drops is out of that reach.  The rules in the top comment are for the
 * one zeroing this memory does see: a forked child's wiped copy, at
 * whatever instant of a request a handler forked.
 *
 * Without a verified MADV_WIPEONFORK (refused by a seccomp policy, a
 * kernel before 4.14, qemu-user) there is no generator: nothing would keep
 * a forked child from repeating its parent's stream.  Comparing getpid()
 * is no substitute: a process that is PID 1 of its namespace and a child
 * it cloned into a new one (PID 1 there too) see the same pid.  The
 * system call serves then. */
static ssize_t generator_fill_no_insecure(void *buf, size_t len, unsigned int flags,
                                          void *state, size_t state_len)
{
	if (flags & GRND_INSECURE)
		return -EINVAL;
	return generator_fill(buf, len, flags, state, state_len);
}

bool generator_probe(struct vgr_provider *p)
{
	long page = sysconf(_SC_PAGESIZE);

	if (sizeof(struct generator_state) > (page > 0 ? (size_t)page : 4096))
		return false;
	if (!arena_can_map(PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	                   &p->wipe_on_fork, NULL) ||
	    !p->wipe_on_fork)
		return false;
	/* A kernel that refuses GRND_INSECURE (before Linux 5.6) must not
	 * find the generator accepting it: the request fails as the system
	 * call would. */
	p->fill = syscall_refuses_insecure() ? generator_fill_no_insecure : generator_fill;
	p->charge = generator_charge;
	p->state_size = sizeof(struct generator_state);
	p->mmap_prot = PROT_READ | PROT_WRITE;
	p->mmap_flags = MAP_PRIVATE | MAP_ANONYMOUS;
	p->path = VGR_PATH_GENERATOR;
	return true;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Move the 32-byte key from src to dst and zero src, through one general
 * register that is cleared afterwards.  memcpy() would be shorter, but
 * glibc's copies on AVX-512 machines go through ymm16-31, which little
 * other code touches: the key could sit there long after, until a signal
 * frame writes every register to the stack.  A general register is not
 * safe by itself either: in the ASan build the last key word stayed in an
 * argument register after the call returned, and the caller's first lazily
 * bound call (ld.so's trampoline saves those registers on the stack) left
 * it there.  So on x86-64 and AArch64 the move is written out, one
 * scratch register, zeroed at the end; elsewhere volatile word accesses
 * (never vectorised, never a library call) are the best C can say. */
static inline void move_key(uint32_t dst[8], void *src)
{
#if defined(__x86_64__)
#define MOVE_WORD(off) "movq " #off "(%[s]), %%rax\n\tmovq %%rax, " #off "(%[d])\n\t" \
	"movq $0, " #off "(%[s])\n\t"
	__asm__ volatile(MOVE_WORD(0) MOVE_WORD(8) MOVE_WORD(16) MOVE_WORD(24)
	                 "xorl %%eax, %%eax"
	                 : : [s] "r"(src), [d] "r"(dst) : "rax", "memory");
#undef MOVE_WORD
#elif defined(__aarch64__)
#define MOVE_WORD(off) "ldr x9, [%[s], #" #off "]\n\tstr x9, [%[d], #" #off "]\n\t" \
	"str xzr, [%[s], #" #off "]\n\t"
	__asm__ volatile(MOVE_WORD(0) MOVE_WORD(8) MOVE_WORD(16) MOVE_WORD(24)
	                 "mov x9, xzr"
	                 : : [s] "r"(src), [d] "r"(dst) : "x9", "memory");
#undef MOVE_WORD
#else
	volatile uint64_t *s = src;
	volatile uint64_t *d = (volatile uint64_t *)(void *)dst;

	for (unsigned i = 0; i < KEY_SIZE / 8; i++) {
		d[i] = s[i];
		s[i] = 0;
	}
#endif
}

/* Returned by refill() and take() when the state was found dropped in the
 * middle of a request: the request starts over. */
#define DROPPED 1

/* Is the state still the one this request started with (or seeded)?  The
 * fence keeps every read of the state before it ahead of the check. */
static inline bool intact(const struct generator_state *st)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&st->magic, __ATOMIC_RELAXED) == STATE_MAGIC;
}

/* A fresh key from the kernel; the buffer is emptied.  Only the blocking
 * behaviour of the caller's flags is kept: a state is never seeded with
 * GRND_INSECURE bytes, since it goes on to serve every later request.  A
 * caller who passed GRND_INSECURE must never block (getrandom(2) does not),
 * so its seed does not wait either: -EAGAIN, and the caller's request is
 * declined, for the system call to serve as asked (generate_slow()). */
static int seed(struct generator_state *st, unsigned int flags, enum vgr_reseed why)
{
	uint32_t key[8] __attribute__((aligned(8))); /* move_key() reads words */
	ssize_t r = syscall_getrandom(key, sizeof(key),
	                              flags & (GRND_NONBLOCK | GRND_INSECURE) ? GRND_NONBLOCK : 0);

	if (r != (ssize_t)sizeof(key)) {
		explicit_bzero(key, sizeof(key));
		return r < 0 ? -errno : -EIO;
	}
	/* The magic first (see the top comment).  The release fence orders
	 * it before every store below, for the compiler and, on weakly
	 * ordered CPUs, for the hardware. */
	__atomic_store_n(&st->magic, STATE_MAGIC, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	move_key(st->key, key);
	explicit_bzero(st->buf, sizeof(st->buf));
	st->pos = BUF_SIZE;
	st->generation = generation_current();
	st->bytes_left = budget_bytes;
	st->reseed_at = now_ns() + budget_ns;
	COUNT_SEED();
	VGR_EVENT1(reseed, (int)why);
	return 0;
}

static inline void spend(struct generator_state *st, size_t n)
{
	st->bytes_left = st->bytes_left > n ? st->bytes_left - n : 0;
}

void generator_charge(void *state, size_t n)
{
	spend(state, n);
}

static int refill(struct generator_state *st, unsigned int flags)
{
	if (st->bytes_left == 0 || now_ns() >= st->reseed_at) {
		/* seed() sets the magic: on a state dropped earlier in this
		 * request that would hide the drop from the final check. */
		if (!intact(st))
			return DROPPED;
		int r = seed(st, flags, st->bytes_left == 0 ? VGR_RESEED_BUDGET : VGR_RESEED_TIME);
		if (r < 0)
			return r;
	}
	chacha_blocks(chacha_impl(), st->buf, st->key, 0, BUF_SIZE / 64);
	move_key(st->key, st->buf);
	st->pos = KEY_SIZE;
	/* Counted here, as made, not as handed out: the fast path then has
	 * one store less, and a buffer is served whole either way. */
	spend(st, BUF_SIZE - KEY_SIZE);
	return 0;
}

/* Move n bytes from src to dst and zero them at src.  Up to 64 bytes (the
 * fast path's limit) this is a few overlapping fixed-size moves, which
 * compile to plain loads and stores: no library call, so the fast path
 * stays a leaf function with no registers to save. */
#define MOVE_AND_ZERO_EDGES(type)                                            \
	do {                                                                 \
		static const type z = { 0 };                                 \
		memcpy(dst, src, sizeof(type));                              \
		memcpy(dst + n - sizeof(type), src + n - sizeof(type), sizeof(type)); \
		memcpy(src, &z, sizeof(type));                               \
		memcpy(src + n - sizeof(type), &z, sizeof(type));            \
	} while (0)
struct bytes16 { uint64_t w[2]; };
struct bytes32 { uint64_t w[4]; };
static inline void move_and_zero(uint8_t *dst, uint8_t *src, size_t n)
{
	if (n > 64) {
		memcpy(dst, src, n);
		memset(src, 0, n);
	} else if (n > 32) {
		MOVE_AND_ZERO_EDGES(struct bytes32);
	} else if (n > 16) {
		MOVE_AND_ZERO_EDGES(struct bytes16);
	} else if (n >= 8) {
		MOVE_AND_ZERO_EDGES(uint64_t);
	} else if (n >= 4) {
		MOVE_AND_ZERO_EDGES(uint32_t);
	} else {
		for (size_t i = 0; i < n; i++) {
			dst[i] = src[i];
			src[i] = 0;
		}
	}
}

/* Copy n bytes of stream out, zeroing them in the buffer.  The budgets are
 * checked at refills, so a buffer already made is still served after its
 * budget runs out: the granularity is one buffer (992 bytes).  Returns 0,
 * DROPPED, or a negative errno. */
static int take(struct generator_state *st, uint8_t *out, size_t n, unsigned int flags)
{
	while (n) {
		if (st->pos >= BUF_SIZE) {
			int r = refill(st, flags);
			if (r != 0)
				return r;
		}
		size_t m = BUF_SIZE - st->pos;
		if (m > n)
			m = n;
		move_and_zero(out, st->buf + st->pos, m);
		st->pos += (uint32_t)m;
		out += m;
		n -= m;
	}
	return 0;
}

/* Why a state that needs_seed() does: for the reseed event. */
static enum vgr_reseed seed_reason(const struct generator_state *st)
{
	if (vgr_generation_forked_here) {
		vgr_generation_forked_here = 0;
		return VGR_RESEED_FORK;
	}
	if (__atomic_load_n(&st->magic, __ATOMIC_RELAXED) != STATE_MAGIC)
		return VGR_RESEED_NEW;
	return (enum vgr_reseed)__atomic_load_n(&vgr_generation_reason, __ATOMIC_RELAXED);
}

static bool needs_seed(const struct generator_state *st)
{
	if (__atomic_load_n(&st->magic, __ATOMIC_RELAXED) != STATE_MAGIC)
		return true;
	return st->generation != generation_current();
}

static __attribute__((noinline)) ssize_t
generate_slow(struct generator_state *st, uint8_t *buf, size_t len, unsigned int flags);

ssize_t generator_fill(void *buf, size_t len, unsigned int flags,
                       void *state, size_t state_len)
{
	struct generator_state *st = state;
	uint32_t pos = st->pos;

	(void)state_len;
	/* The common case, kept short: a small request the buffer holds, on
	 * a state seeded in this generation. */
	if (__builtin_expect(len - 1 < 64 && len <= BUF_SIZE - pos &&
	                     __atomic_load_n(&st->magic, __ATOMIC_RELAXED) == STATE_MAGIC &&
	                     st->generation == generation_current(), 1)) {
		move_and_zero(buf, st->buf + pos, len);
		st->pos = pos + (uint32_t)len;
		if (__builtin_expect(intact(st), 1))
			return (ssize_t)len;
	}
	return generate_slow(st, buf, len, flags);
}

/* Everything else: seeding, refills, requests past the buffer, and redoing
 * a request whose state was zeroed while it ran.  (Requests from the bulk
 * threshold up never reach the generator: bulk.c expands them from a key
 * taken here.) */
static __attribute__((noinline)) ssize_t
generate_slow(struct generator_state *st, uint8_t *buf, size_t len, unsigned int flags)
{
	int r;

	if (len == 0)
		return 0;

	for (;;) {
		if (__builtin_expect(needs_seed(st), 0)) {
			r = seed(st, flags, seed_reason(st));
			if (r < 0)
				goto not_seeded;
		}

		r = take(st, buf, len, flags); /* may reseed: a budget ran out */
		if (r < 0)
			goto not_seeded;

		/* Were the pages dropped while we read them? */
		if (__builtin_expect(r == 0 && intact(st), 1))
			return (ssize_t)len;
	}
not_seeded:
	/* Not ready, but the caller accepts that: this one request goes to
	 * the kernel as asked, which never blocks for it. */
	if (r == -EAGAIN && (flags & GRND_INSECURE))
		return VGR_FILL_DECLINED;
	return r;
}
