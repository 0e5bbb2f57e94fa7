/* SPDX-License-Identifier: MIT */
/*
 * Fault injection, with one observable outcome allowed: correct bytes or a
 * clear error, never zeros and never repeats.
 *   - the getrandom system call denied by a seccomp filter, with EPERM and
 *     with ENOSYS (then /dev/urandom serves);
 *   - arc4random with no source at all ends the process with a message;
 *   - a vDSO or generator state zeroed under us (as the kernel drops
 *     MAP_DROPPABLE pages);
 *   - the arena's address space exhausted (RLIMIT_AS).
 * Each case runs in a child process, reporting through its exit status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "state_arena.h"
#include "test_util.h"
#include "syscall_path.h"
#include "thread_state.h"
#include "vgetrandom.h"

void arc4random_buf(void *buf, size_t len);

/* Make getrandom(2) fail with err in this process (and its threads). */
static int deny_getrandom(int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getrandom, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)(err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static int all_zero(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* The child's verdict: exit 0 passes, 77 skips (seccomp unavailable here),
 * anything else fails. */
#define assert_child_passed(pid)                                 \
	do {                                                     \
		int st_;                                         \
		waitpid((pid), &st_, 0);                         \
		if (WIFEXITED(st_) && WEXITSTATUS(st_) == 77)    \
			skip();                                  \
		assert_true(WIFEXITED(st_));                     \
		assert_int_equal(WEXITSTATUS(st_), 0);           \
	} while (0)

/* In a new thread (so no state exists yet for it), one 64-byte call:
 * 0 = random bytes, 1 = error with want_errno, 2 = anything else. */
struct probe {
	int want_errno;
	int outcome;
};

static void *probe_thread(void *arg)
{
	struct probe *p = arg;
	unsigned char b[64] = { 0 };
	errno = 0;
	ssize_t r = vgetrandom(b, sizeof(b), 0);
	if (r == (ssize_t)sizeof(b) && !all_zero(b, sizeof(b)))
		p->outcome = 0;
	else if (r == -1 && errno == p->want_errno && all_zero(b, sizeof(b)))
		p->outcome = 1;
	else
		p->outcome = 2;
	return NULL;
}

static int probe_in_thread(int want_errno)
{
	pthread_t t;
	struct probe p = { want_errno, 3 };
	pthread_create(&t, NULL, probe_thread, &p);
	pthread_join(t, NULL);
	return p.outcome;
}

/* The syscall is denied with EPERM: the syscall and generator backends
 * must say EPERM; the vDSO may still serve a state that already has its
 * key, but a fresh state needs the syscall and must then say EPERM too.
 * Never zeros, never a short count. */
static void test_seccomp_eperm(void **unused)
{
	(void)unused;
	pid_t pid = fork();
	if (pid == 0) {
		unsigned char warm[16];
		if (vgetrandom(warm, sizeof(warm), 0) != sizeof(warm))
			_exit(10);
		if (deny_getrandom(EPERM) != 0)
			_exit(77);
		int o = probe_in_thread(EPERM);
		/* bytes or EPERM are both honest; anything else is not */
		_exit(o <= 1 ? 0 : 20 + o);
	}
	assert_child_passed(pid);
}

/* The syscall reports ENOSYS (a kernel before 3.17, or a sandbox that
 * hides it): /dev/urandom serves, so a fresh thread gets real bytes. */
static void test_seccomp_enosys_uses_urandom(void **unused)
{
	(void)unused;
	pid_t pid = fork();
	if (pid == 0) {
		if (deny_getrandom(ENOSYS) != 0)
			_exit(77);
		unsigned char a[64], b[64];
		/* a fresh thread gets bytes, whatever the backend */
		int ok = 1;
		for (int i = 0; i < 2; i++)
			ok &= probe_in_thread(0) == 0;
		if (strcmp(vgetrandom_backend(), "syscall") == 0 ||
		    strcmp(vgetrandom_backend(), "urandom") == 0) {
			if (vgetrandom(a, sizeof(a), 0) != sizeof(a) ||
			    vgetrandom(b, sizeof(b), 0) != sizeof(b) || !memcmp(a, b, sizeof(a)))
				_exit(30);
			if (strcmp(vgetrandom_backend(), "urandom") != 0)
				_exit(31);
		}
		_exit(ok ? 0 : 32);
	}
	assert_child_passed(pid);
}

/* arc4random_buf cannot fail: with the syscall denied on the syscall
 * backend it aborts with a message instead of returning bad bytes. */
static void test_arc4random_aborts_without_entropy(void **unused)
{
	(void)unused;
	if (strcmp(vgetrandom_backend(), "syscall") != 0)
		skip();
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		if (deny_getrandom(EPERM) != 0)
			_exit(77);
		unsigned char b[16];
		arc4random_buf(b, sizeof(b));
		_exit(0); /* must not get here */
	}
	close(fds[1]);
	char msg[256] = { 0 };
	(void)!read(fds[0], msg, sizeof(msg) - 1);
	close(fds[0]);
	int st;
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		skip();
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGABRT);
	assert_non_null(strstr(msg, "cannot get random bytes for arc4random"));
}

/* The kernel may zero a MAP_DROPPABLE state at any time.  Zero ours
 * between calls, many times: every output stays random and distinct. */
static void test_zeroed_state_keeps_working(void **unused)
{
	(void)unused;
	enum { ROUNDS = 2000 };
	static uint64_t words[ROUNDS * 4];
	struct arena_stats st;
	if (!backend_has_states())
		skip();
	for (int i = 0; i < ROUNDS; i++) {
		assert_int_equal(vgetrandom(&words[i * 4], 32, 0), 32);
		vgr_test_arena_stats(&st);
		void *s = vgr_test_thread_state();
		if (s && i % 3 == 0)
			memset(s, 0, st.slot_size);
	}
	for (int i = 0; i < ROUNDS; i++)
		assert_false(words[i * 4] == 0 && words[i * 4 + 1] == 0);
	assert_int_equal(repeats_u64(words, ROUNDS * 4), 0);
}

/* For the address-space tests, in a forked child: hold every free state
 * (so the next one wanted must grow the arena), then leave no room for one
 * more mapping.  The old limit goes to *old.  Exits 40 or 41 on failure. */
static void no_room_for_a_growth(struct rlimit *old)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0;
	struct arena_stats st;
	struct rlimit rl;

	if (!f || fscanf(f, "%lu", &pages) != 1)
		_exit(40);
	fclose(f);
	vgr_test_arena_stats(&st);
	for (size_t held = 0; st.free > 0 && held < 4096; held++) {
		if (!vgr_test_arena_take())
			break;
		vgr_test_arena_stats(&st);
	}
	getrlimit(RLIMIT_AS, old);
	rl.rlim_cur = pages * (unsigned long)sysconf(_SC_PAGESIZE);
	rl.rlim_max = old->rlim_max;
	if (setrlimit(RLIMIT_AS, &rl) != 0)
		_exit(41);
}

/* No address space for the arena: a fresh process whose RLIMIT_AS leaves
 * no room for one more mapping still gets random bytes (from the syscall),
 * and the failure is remembered. */
static void test_no_address_space(void **unused)
{
	(void)unused;
	if (!backend_has_states())
		skip();
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit old;
		struct arena_stats after;
		no_room_for_a_growth(&old);
		unsigned char b[32] = { 0 }, c[32] = { 0 };
		vgr_test_mark_busy(); /* force this thread to want a spare */
		if (vgetrandom(b, sizeof(b), 0) != sizeof(b))
			_exit(42);
		if (vgetrandom(c, sizeof(c), 0) != sizeof(c) || all_zero(b, 32) || !memcmp(b, c, 32))
			_exit(43);
		vgr_test_arena_stats(&after);
		/* Room again before the exit: valgrind translates the exit
		 * path's code then, and needs memory for it. */
		setrlimit(RLIMIT_AS, &old);
		_exit(after.failed ? 0 : 44);
	}
	assert_child_passed(pid);
}

/* A lack of memory is not for good: after a growth failed under a tight
 * RLIMIT_AS, new threads use the system call; once the limit is lifted
 * and the retry interval (100 ms) has passed, every one of 64 new threads
 * gets a state again and makes no system call. */
struct probe_thread {
	unsigned long fallbacks;
	int state, ok;
};

static void *draw_in_thread(void *arg)
{
	struct probe_thread *p = arg;
	unsigned char b[16];
	unsigned long before = vgr_test_syscall_fallbacks();
	p->ok = vgetrandom(b, sizeof(b), 0) == sizeof(b) && !all_zero(b, sizeof(b));
	p->fallbacks = vgr_test_syscall_fallbacks() - before;
	p->state = vgr_test_thread_state() != NULL;
	return NULL;
}

static int run_probe(struct probe_thread *p)
{
	pthread_t t;
	return pthread_create(&t, NULL, draw_in_thread, p) == 0 && pthread_join(t, NULL) == 0;
}

static void test_growth_retried(void **unused)
{
	(void)unused;
	if (!backend_has_states())
		skip();
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit old;
		struct arena_stats st;
		/* This thread, its primary marked busy, wants a spare and so a
		 * growth, for which there is no room. */
		no_room_for_a_growth(&old);
		unsigned char b[16];
		unsigned long before = vgr_test_syscall_fallbacks();
		vgr_test_mark_busy();
		if (vgetrandom(b, sizeof(b), 0) != sizeof(b) || vgr_test_thread_spare() ||
		    vgr_test_syscall_fallbacks() != before + 1)
			_exit(43);
		vgr_test_clear_busy();
		vgr_test_arena_stats(&st);
		if (!st.failed)
			_exit(44);
		setrlimit(RLIMIT_AS, &old);
		usleep(150 * 1000);
		for (int i = 0; i < 64; i++) {
			struct probe_thread p = { 0 };
			if (!run_probe(&p) || !p.ok)
				_exit(45);
			if (!p.state || p.fallbacks) {
				fprintf(stderr, "thread %d after the limit was lifted: %s, %lu system calls\n",
				        i, p.state ? "a state" : "no state", p.fallbacks);
				_exit(46);
			}
		}
		_exit(0);
	}
	assert_child_passed(pid);
}

/* GRND_NONBLOCK once the kernel's generator is ready (always, after boot):
 * full requests, no EAGAIN, from every backend. */
static void test_nonblock(void **unused)
{
	(void)unused;
	unsigned char b[4096];
	for (size_t n = 1; n <= sizeof(b); n *= 2)
		assert_int_equal(vgetrandom(b, n, GRND_NONBLOCK), (ssize_t)n);
	assert_int_equal(vgetrandom(b, sizeof(b), GRND_NONBLOCK | GRND_INSECURE), sizeof(b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seccomp_eperm),
		cmocka_unit_test(test_seccomp_enosys_uses_urandom),
		cmocka_unit_test(test_arc4random_aborts_without_entropy),
		cmocka_unit_test(test_zeroed_state_keeps_working),
		cmocka_unit_test(test_no_address_space),
		cmocka_unit_test(test_growth_retried),
		cmocka_unit_test(test_nonblock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
