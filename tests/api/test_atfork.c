/* SPDX-License-Identifier: MIT */
/*
 * fork() never deadlocks when another library's atfork handlers draw.
 *
 * tests/api/atfork_drawer.c registers handlers that call getrandom() in
 * prepare, parent and child.  This program is linked with it before or
 * after libvgetrandom (two builds), or preloads the library (argv[1] =
 * "preload": then only the drawer is linked).  A thread that never drew
 * forks, then the main thread (which never drew either) forks: every
 * handler must get 32 random bytes, in the parent and in the child.
 *
 * A deadlock here blocks every signal, so the test runs in a child of
 * its own, started with posix_spawn (which runs no atfork handler), and
 * killed with SIGKILL after 30 s.  Exit 0 pass, 1 fail.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
extern int drawer_prepare_ok, drawer_parent_ok, drawer_child_ok;

/* Wait for pid up to seconds; its exit status, or -1 after killing it. */
static int wait_or_kill(pid_t pid, int seconds)
{
	for (int i = 0; i < seconds * 100; i++) {
		int st;
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r < 0 && errno != EINTR)
			return -2;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* fork() from the calling thread; 0 if every handler drew, in both. */
static int fork_and_check(const char *who)
{
	drawer_prepare_ok = drawer_parent_ok = drawer_child_ok = 0;
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0)
		_exit(drawer_child_ok ? 0 : 3);
	int st = wait_or_kill(pid, 20);
	if (!drawer_prepare_ok || !drawer_parent_ok || st != 0) {
		fprintf(stderr, "%s: prepare %d parent %d child exit %d\n", who,
		        drawer_prepare_ok, drawer_parent_ok, st);
		return 1;
	}
	return 0;
}

static void *forking_thread(void *arg)
{
	*(int *)arg = fork_and_check("fresh thread");
	return NULL;
}

static int run(void)
{
	pthread_t t;
	int thread_rc = 1;

	if (pthread_create(&t, NULL, forking_thread, &thread_rc) != 0)
		return 1;
	pthread_join(t, NULL);
	return thread_rc | fork_and_check("main thread") | fork_and_check("main thread, again");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "run") == 0)
		return run();

	char *args[] = { argv[0], "run", NULL };
	char **env = environ;
	char **penv = NULL;
	if (argc > 2 && strcmp(argv[1], "preload") == 0) {
		size_t n = 0;
		while (environ[n])
			n++;
		penv = calloc(n + 2, sizeof(char *));
		memcpy(penv, environ, n * sizeof(char *));
		size_t len = strlen(argv[2]) + sizeof("LD_PRELOAD=");
		penv[n] = malloc(len);
		snprintf(penv[n], len, "LD_PRELOAD=%s", argv[2]);
		env = penv;
	}
	pid_t pid;
	int e = posix_spawn(&pid, argv[0], NULL, NULL, args, env);
	if (e != 0) {
		fprintf(stderr, "posix_spawn: %s\n", strerror(e));
		return 1;
	}
	int st = wait_or_kill(pid, 30);
	if (st == -1)
		fprintf(stderr, "FAIL: fork hung (killed after 30 s)\n");
	free(penv);
	return st == 0 ? 0 : 1;
}
