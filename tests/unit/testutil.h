/*
 * testutil.h: helpers for tests that start tmon's own programs on
 * loopback (header-only, static functions; included by check_*.c).
 */
#ifndef TMON_TESTUTIL_H
#define TMON_TESTUTIL_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <curl/curl.h>

/* Start argv[0] with stdout to a pipe; *outfd reads it. Returns the pid. */
static pid_t __attribute__((unused))
tu_spawn(const char *const argv[], int *outfd)
{
	char *v[32];
	int p[2];
	pid_t pid;
	size_t i;

	if (pipe(p) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		for (i = 0; argv[i] != NULL && i < 31; i++)
			v[i] = strdup(argv[i]);
		v[i] = NULL;
		execv(v[0], v);
		_exit(127);
	}
	close(p[1]);
	*outfd = p[0];
	return pid;
}

/*
 * Read from fd until a line containing needle arrives (or timeout_s):
 * the line goes into line.  Returns 0 on success.
 */
static int __attribute__((unused))
tu_wait_line(int fd, const char *needle, char *line, size_t linesz,
    int timeout_s)
{
	size_t n = 0;
	time_t end = time(NULL) + timeout_s;
	fd_set rf;
	struct timeval tv;
	char ch;

	while (time(NULL) < end) {
		FD_ZERO(&rf);
		FD_SET(fd, &rf);
		tv.tv_sec = 1;
		tv.tv_usec = 0;
		if (select(fd + 1, &rf, NULL, NULL, &tv) <= 0)
			continue;
		if (read(fd, &ch, 1) != 1)
			return -1;
		if (ch == '\n') {
			line[n] = '\0';
			if (strstr(line, needle) != NULL)
				return 0;
			n = 0;
		} else if (n + 1 < linesz)
			line[n++] = ch;
	}
	return -1;
}

/* Start tmon-replay on a free port; returns pid, port in *port. */
static pid_t __attribute__((unused))
tu_start_replay(int *port, int *fd)
{
	char line[256];
	const char *p;
	pid_t pid;
	const char *const argv[] = { TMON_BUILD_DIR "/tmon-replay", "--dir",
	    TMON_TEST_DATA "/replay", "--listen", "127.0.0.1:0", NULL };

	pid = tu_spawn(argv, fd);
	if (pid < 0 || tu_wait_line(*fd, "listening on", line, sizeof(line),
	    20) != 0)
		return -1;
	p = strrchr(line, ':');
	*port = p != NULL ? atoi(p + 1) : 0;
	return *port > 0 ? pid : -1;
}

static void __attribute__((unused))
tu_stop(pid_t pid, int sig)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, sig);
	waitpid(pid, &status, 0);
}

/* Remove the SQLite database path and its -wal, -shm and -journal
 * files (those absent are ignored). */
static void __attribute__((unused))
tu_unlink_db(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[4096];
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		(void)unlink(p);
	}
}

/* A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
static int __attribute__((unused))
tu_free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(s, (struct sockaddr *)&sa, &len) != 0) {
		close(s);
		return -1;
	}
	port = ntohs(sa.sin_port);
	close(s);
	return port;
}

struct tu_body {
	char	*data;
	size_t	 len;
};

static size_t __attribute__((unused))
tu_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct tu_body *b = arg;
	size_t n = size * nmemb;
	char *p = realloc(b->data, b->len + n + 1);

	if (p == NULL)
		return 0;
	memcpy(p + b->len, ptr, n);
	b->data = p;
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

/* GET url; body into *b (caller frees b->data); returns the HTTP status
 * or -1 when no answer. */
static long __attribute__((unused))
tu_get(const char *url, struct tu_body *b)
{
	CURL *c = curl_easy_init();
	long status = -1;

	b->data = NULL;
	b->len = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, tu_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return status;
}

#endif /* TMON_TESTUTIL_H */
