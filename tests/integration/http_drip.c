/*
 * http_drip: slow and malformed HTTP clients for the API server tests
 * (tests/integration/test_http_limits.sh), over loopback.
 *
 *   http_drip drip PORT N SECONDS
 *       Open N connections to 127.0.0.1:PORT.  Even ones send a GET
 *       request's headers, odd ones a POST /api/v1/receipts's headers
 *       (Content-Length: 4096) and then its body, one byte per second
 *       each, never completing them.  Meanwhile, from the second
 *       second on, send a normal GET /api/v1/models once a second on a
 *       new connection.  Stop after SECONDS, or once the server closed
 *       every dripping connection.  Prints
 *           connected K            (K connections were accepted and
 *                                   took their first byte)
 *           normal STATUS MS       (one per normal request: its status,
 *                                   0 if there was no answer, and the
 *                                   milliseconds it took)
 *           closed I MS            (connection I was closed by the
 *                                   server MS ms after it was opened)
 *           open K                 (still open at the end)
 *   http_drip malformed PORT N
 *       Send N requests with a header line without a colon, one
 *       connection each, one after the other.  Prints "malformed N S"
 *       where S of them were answered 400.
 *
 * Exit status 0, or 2 on a usage or socket error.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_DRIPS	1000
#define MAX_ANSWER	65536

struct drip {
	int		 fd;
	const char	*req;		/* then 'a' up to stop bytes */
	size_t		 reqlen;
	size_t		 stop;
	size_t		 sent;
	int64_t		 opened_ms;
	int64_t		 next_ms;
};

static const char get_req[] = "GET /api/v1/models HTTP/1.1\r\n"
    "Host: 127.0.0.1\r\n"
    "X-Drip: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
    "\r\n";
static const char post_req[] = "POST /api/v1/receipts HTTP/1.1\r\n"
    "Host: 127.0.0.1\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 4096\r\n"
    "\r\n"
    "{\"dripping\": \"";

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
dial(uint16_t port)
{
	struct sockaddr_in sin;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Wait up to ms for fd to be readable (or closed). */
static int
wait_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms);
}

/*
 * Send a whole request on a new connection and read the answer until
 * the server closes (at most timeout_ms).  Returns the status, 0 when
 * there was no answer.
 */
static int
exchange(uint16_t port, const char *req, int timeout_ms)
{
	char ans[MAX_ANSWER];
	size_t len = 0;
	int64_t end = now_ms() + timeout_ms;
	ssize_t n;
	int fd, status = 0;

	if ((fd = dial(port)) == -1)
		return 0;
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		close(fd);
		return 0;
	}
	while (len + 1 < sizeof(ans) && now_ms() < end) {
		if (wait_in(fd, (int)(end - now_ms())) <= 0)
			break;
		n = recv(fd, ans + len, sizeof(ans) - 1 - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
		ans[len] = '\0';
		/* An answer to "Connection: close" ends with the close;
		   the status line is enough here. */
		if (sscanf(ans, "HTTP/1.%*1d %3d", &status) == 1 &&
		    strstr(ans, "\r\n\r\n") != NULL)
			break;
	}
	close(fd);
	return status;
}

static int
drip(uint16_t port, size_t n, int seconds)
{
	static struct drip d[MAX_DRIPS];
	struct pollfd p[MAX_DRIPS];
	static const char normal[] = "GET /api/v1/models HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\nConnection: close\r\n\r\n";
	int64_t start = now_ms(), next_normal = start + 1000, t0, now;
	size_t i, connected = 0, open = 0;
	char ch;
	int st;

	for (i = 0; i < n; i++) {
		d[i].req = i % 2 == 0 ? get_req : post_req;
		d[i].reqlen = strlen(d[i].req);
		/* never the last byte of the headers (GET) or of the body */
		d[i].stop = i % 2 == 0 ? d[i].reqlen - 1 : d[i].reqlen + 4000;
		d[i].opened_ms = now_ms();
		d[i].fd = dial(port);
		if (d[i].fd != -1 && send(d[i].fd, d[i].req, 1,
		    MSG_NOSIGNAL) == 1) {
			d[i].sent = 1;
			d[i].next_ms = d[i].opened_ms + 1000;
			connected++;
		} else {
			printf("closed %zu 0\n", i);
			if (d[i].fd != -1)
				close(d[i].fd);
			d[i].fd = -1;
		}
	}
	printf("connected %zu\n", connected);
	fflush(stdout);
	for (;;) {
		now = now_ms();
		open = 0;
		for (i = 0; i < n; i++) {
			p[i].fd = d[i].fd;
			p[i].events = POLLIN;
			p[i].revents = 0;
			if (d[i].fd != -1)
				open++;
		}
		if (open == 0 || now - start >= (int64_t)seconds * 1000)
			break;
		if (now >= next_normal) {
			t0 = now_ms();
			st = exchange(port, normal, 5000);
			printf("normal %d %lld\n", st,
			    (long long)(now_ms() - t0));
			fflush(stdout);
			next_normal += 1000;
			continue;
		}
		(void)poll(p, n, 50);
		now = now_ms();
		for (i = 0; i < n; i++) {
			if (d[i].fd == -1)
				continue;
			/* The server never answers a request it does not
			   have: anything readable is its close. */
			if (p[i].revents != 0) {
				(void)recv(d[i].fd, &ch, 1, MSG_DONTWAIT);
				goto closed;
			}
			if (now < d[i].next_ms || d[i].sent >= d[i].stop)
				continue;
			ch = d[i].sent < d[i].reqlen ? d[i].req[d[i].sent] :
			    'a';
			if (send(d[i].fd, &ch, 1, MSG_NOSIGNAL) != 1)
				goto closed;
			d[i].sent++;
			d[i].next_ms += 1000;
			continue;
closed:
			printf("closed %zu %lld\n", i,
			    (long long)(now_ms() - d[i].opened_ms));
			fflush(stdout);
			close(d[i].fd);
			d[i].fd = -1;
		}
	}
	printf("open %zu\n", open);
	for (i = 0; i < n; i++)
		if (d[i].fd != -1)
			close(d[i].fd);
	return 0;
}

static int
malformed(uint16_t port, size_t n)
{
	static const char req[] = "GET /api/v1/models HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\n"
	    "this header line has no colon\r\n"
	    "\r\n";
	size_t i, answered = 0;

	for (i = 0; i < n; i++)
		if (exchange(port, req, 5000) == 400)
			answered++;
	printf("malformed %zu %zu\n", n, answered);
	return 0;
}

int
main(int argc, char *argv[])
{
	unsigned long port, n, sec = 0;
	char *end;

	signal(SIGPIPE, SIG_IGN);
	if (argc < 4)
		goto usage;
	port = strtoul(argv[2], &end, 10);
	if (*end != '\0' || port == 0 || port > 65535)
		goto usage;
	n = strtoul(argv[3], &end, 10);
	if (*end != '\0' || n == 0 || n > MAX_DRIPS * 100)
		goto usage;
	if (strcmp(argv[1], "drip") == 0 && argc == 5) {
		sec = strtoul(argv[4], &end, 10);
		if (*end != '\0' || sec == 0 || sec > 600 || n > MAX_DRIPS)
			goto usage;
		return drip((uint16_t)port, n, (int)sec);
	}
	if (strcmp(argv[1], "malformed") == 0 && argc == 4)
		return malformed((uint16_t)port, n);
usage:
	fprintf(stderr, "usage: http_drip drip PORT N SECONDS\n"
	    "       http_drip malformed PORT N\n");
	return 2;
}
