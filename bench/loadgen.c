// Load for the benchmarks: the same loops the issue measures, in C so that
// the loop itself costs nothing next to the system calls.
//   loadgen unshare N [FLAGS]   N x unshare(FLAGS) (default CLONE_NEWUTS)
//   loadgen fork N              N x fork()+_exit(0)+waitpid
//   loadgen storm N             N x fork(); child: unshare(uts|ipc), _exit
//   loadgen denied N            N x setns(-1, 0) (fails: EBADF)
//   loadgen hold N SECONDS      N children, each in new uts+ipc namespaces,
//                               sleeping SECONDS (10,000 containers)
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
	} else {
		fprintf(stderr, "loadgen: unknown load '%s'\n", what);
		return 2;
	}
	return 0;
}
