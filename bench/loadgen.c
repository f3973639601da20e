// Load for the benchmarks: the same loops the issue measures, in C so that
// the loop itself costs nothing next to the system calls.
//   loadgen unshare N [FLAGS]   N x unshare(FLAGS) (default CLONE_NEWUTS)
//   loadgen fork N              N x fork()+_exit(0)+waitpid
//   loadgen storm N             N x fork(); child: unshare(uts|ipc), _exit
//   loadgen denied N            N x setns(-1, 0) (fails: EBADF)
//   loadgen hold N SECONDS      N children, each in new uts+ipc namespaces,
//                               sleeping SECONDS (10,000 containers)
//   loadgen ask N SOCKET        N x {"op":"stats"} on a fresh connection,
//                               50 ms apart; prints each answer's time (us)
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* One stats request on a new connection: its time in us, or -1. */
static long long ask(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[65536];
	long long t0 = now_us();
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ssize_t n;

	strncpy(a.sun_path, path, sizeof(a.sun_path) - 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    write(fd, "{\"op\":\"stats\"}\n", 15) != 15) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (memchr(buf, '\n', (size_t)n))
			break;
	close(fd);
	return n > 0 ? now_us() - t0 : -1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: loadgen unshare|fork|storm|denied|hold N [ARG]\n");
		return 2;
	}
	const char *what = argv[1];
	long n = atol(argv[2]);
	if (!strcmp(what, "unshare")) {
		int flags = argc > 3 ? (int)strtol(argv[3], NULL, 0) : CLONE_NEWUTS;
		for (long i = 0; i < n; i++)
			if (unshare(flags) != 0) {
				perror("unshare");
				return 1;
			}
	} else if (!strcmp(what, "fork")) {
		for (long i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0)
				_exit(0);
			waitpid(p, NULL, 0);
		}
	} else if (!strcmp(what, "storm")) {
		for (long i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0)
				_exit(unshare(CLONE_NEWUTS | CLONE_NEWIPC) == 0 ? 0 : 1);
			waitpid(p, NULL, 0);
		}
	} else if (!strcmp(what, "denied")) {
		for (long i = 0; i < n; i++)
			setns(-1, 0);
	} else if (!strcmp(what, "hold")) {
		int secs = argc > 3 ? atoi(argv[3]) : 60;
		for (long i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0) {
				if (unshare(CLONE_NEWUTS | CLONE_NEWIPC) != 0)
					_exit(1);
				sleep(secs);
				_exit(0);
			}
		}
		printf("ready\n");
		fflush(stdout);
		while (wait(NULL) > 0)
			;
	} else if (!strcmp(what, "ask") && argc > 3) {
		for (long i = 0; i < n; i++) {
			printf("%lld\n", ask(argv[3]));
			fflush(stdout);
			usleep(50000);
		}
	} else {
		fprintf(stderr, "loadgen: unknown load '%s'\n", what);
		return 2;
	}
	return 0;
}
