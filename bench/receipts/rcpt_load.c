/*
 * rcpt_load: load generator and checker for POST /api/v1/receipts.
 *
 *   rcpt_load run --port P [--host H] [--count N] [--start I]
 *       [--connections C] [--answers FILE] [--kill-pid PID --kill-at K]
 *       [--retry-seconds S]
 *     Build N signature receipts (indices I..I+N-1), each a real EIP-191
 *     secp256k1 signature (libsecp256k1; keccak256 from
 *     monitor/verify/keccak.h) by a key generated for the run, over the
 *     text "bench/<index>:<sha256(request)>:<sha256(response)>", with the
 *     request and response bytes attached (request_b64/response_b64), so
 *     that tmond checks the signature and both hashes.  Then submit them
 *     over C keep-alive connections (one thread each, a minimal HTTP/1.1
 *     client) and append one line "<index> <seq> <leaf_hash>" per 201
 *     answer to FILE.  tmond limits the connections per address
 *     (http.max_connections_per_address), so with more than 8
 *     connections to 127.0.0.1, connection k binds 127.0.0.(1 + k / 8)
 *     (all of 127/8 is loopback on Linux), as several clients would.
 *     Building is not timed; the submission phase is, and its rate is
 *     printed.  A receipt whose request fails without an answer (the
 *     daemon died) is sent again, for at most S seconds (default 60)
 *     without any answer, so a run survives a restart of the daemon;
 *     such indices are listed in FILE as "retried <index>".  With
 *     --kill-pid, the generator sends SIGKILL to PID once K receipts have
 *     been answered (in the middle of the run, with requests in flight).
 *     Exit 0 when every receipt was answered 201, 1 otherwise.
 *
 *   rcpt_load check --db DB --answers FILE --count N [--start I]
 *       [--max-dup D]
 *     Open DB read-only and check: every answered (seq, leaf) is a
 *     receipt entry with that leaf hash whose text names its index; no
 *     seq was answered twice; every index I..I+N-1 was answered; every
 *     index is logged exactly once, except retried indices, which may be
 *     logged more than once (the first attempt committed, its answer was
 *     lost with the daemon), at most D (default 64) extra entries in all;
 *     the hash chain recomputes (store_verify_chain).  Exit 0 when all
 *     hold, 1 otherwise, 2 on usage or I/O errors.
 *
 * Build: the root CMakeLists.txt block "bench/receipts".
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "encode.h"
#include "keccak.h"
#include "store.h"
#include "util.h"

#define DEFAULT_COUNT		100000
#define DEFAULT_CONNECTIONS	8
#define DEFAULT_RETRY_S		60
#define MAX_CONNECTIONS		64

struct receipt {
	char	*body;
	size_t	 len;
	bool	 answered;
	bool	 retried;
	uint64_t seq;
	char	 leaf[65];
};

struct run {
	const char	*host;
	struct sockaddr_in to;
	size_t		 nconn;		/* threads started so far */
	struct receipt	*r;
	uint64_t	 start;
	size_t		 count;
	size_t		 next;		/* next receipt to hand out */
	size_t		 answered;
	size_t		 failed;	/* refused with a non-201 answer */
	pid_t		 kill_pid;
	size_t		 kill_at;
	bool		 killed;
	int		 retry_s;
	bool		 spread;	/* bind 127.0.0.x by connection */
	pthread_mutex_t	 mu;
	/* key */
	uint8_t		 seckey[32];
	char		 address[43];
};

static void
die(const char *msg)
{
	fprintf(stderr, "rcpt_load: %s\n", msg);
	exit(2);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
b64(const uint8_t *p, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (out == NULL)
		die("out of memory");
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

static void
hexs(const uint8_t *p, size_t n, char *out)
{
	hex_encode(p, n, out);
}

/* The Ethereum address of the key: keccak256(x||y)[12..32]. */
static void
key_address(const secp256k1_context *ctx, const uint8_t sk[32],
    char out[43])
{
	secp256k1_pubkey pk;
	uint8_t pub[65], h[32];
	size_t publen = sizeof(pub);

	if (!secp256k1_ec_pubkey_create(ctx, &pk, sk) ||
	    !secp256k1_ec_pubkey_serialize(ctx, pub, &publen, &pk,
	    SECP256K1_EC_UNCOMPRESSED))
		die("secp256k1: cannot derive the public key");
	keccak256(pub + 1, 64, h);
	out[0] = '0';
	out[1] = 'x';
	hexs(h + 12, 20, out + 2);
}

/* EIP-191 personal_sign of text: "0x" r s v (v = 27 + recid). */
static void
eip191_sign(const secp256k1_context *ctx, const uint8_t sk[32],
    const char *text, size_t len, char out[133])
{
	struct keccak256_ctx k;
	secp256k1_ecdsa_recoverable_signature sig;
	uint8_t digest[32], rs[65];
	char prefix[64];
	int recid = 0, n;

	n = snprintf(prefix, sizeof(prefix), "\x19" "Ethereum Signed "
	    "Message:\n%zu", len);
	keccak256_init(&k);
	keccak256_update(&k, prefix, (size_t)n);
	keccak256_update(&k, text, len);
	keccak256_final(&k, digest);
	if (!secp256k1_ecdsa_sign_recoverable(ctx, &sig, digest, sk, NULL,
	    NULL) ||
	    !secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, rs,
	    &recid, &sig))
		die("secp256k1: signing failed");
	rs[64] = (uint8_t)(27 + recid);
	out[0] = '0';
	out[1] = 'x';
	hexs(rs, 65, out + 2);
}

#define BODY_FMT	"{\"model\":\"bench/model\",\"text\":\"%s\"," \
	"\"signature\":\"%s\",\"signing_address\":\"%s\"," \
	"\"signing_algo\":\"ecdsa\",\"request_b64\":\"%s\"," \
	"\"response_b64\":\"%s\"}"
#define HDR_FMT		"POST /api/v1/receipts HTTP/1.1\r\nHost: %s\r\n" \
	"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"

/* Build receipt index idx into r: the whole HTTP request. */
static void
build_one(const secp256k1_context *ctx, const struct run *run, uint64_t idx,
    struct receipt *r)
{
	char req[256], resp[512], text[256], sig[133], rh[65], sh[65];
	uint8_t md[32];
	char *rb, *sb;
	int rl, sl, tl, bl, hl;

	rl = snprintf(req, sizeof(req), "{\"model\":\"bench\",\"stream\":true,"
	    "\"messages\":[{\"role\":\"user\",\"content\":\"receipt %" PRIu64
	    "\"}]}", idx);
	sl = snprintf(resp, sizeof(resp), "data: {\"id\":\"chatcmpl-%" PRIu64
	    "\",\"choices\":[{\"delta\":{\"content\":\"ok %" PRIu64
	    "\"}}]}\n\ndata: [DONE]\n\n", idx, idx);
	sha256(req, (size_t)rl, md);
	hexs(md, 32, rh);
	sha256(resp, (size_t)sl, md);
	hexs(md, 32, sh);
	tl = snprintf(text, sizeof(text), "bench/%" PRIu64 ":%s:%s", idx, rh,
	    sh);
	eip191_sign(ctx, run->seckey, text, (size_t)tl, sig);
	rb = b64((const uint8_t *)req, (size_t)rl);
	sb = b64((const uint8_t *)resp, (size_t)sl);
	/* The whole request, headers and body, sent with one send(). */
	bl = snprintf(NULL, 0, BODY_FMT, text, sig, run->address, rb, sb);
	hl = snprintf(NULL, 0, HDR_FMT, run->host, bl);
	r->body = malloc((size_t)hl + (size_t)bl + 1);
	if (r->body == NULL)
		die("out of memory");
	snprintf(r->body, (size_t)hl + 1, HDR_FMT, run->host, bl);
	snprintf(r->body + hl, (size_t)bl + 1, BODY_FMT, text, sig,
	    run->address, rb, sb);
	r->len = (size_t)hl + (size_t)bl;
	free(rb);
	free(sb);
}

struct build_arg {
	struct run	*run;
	size_t		 from, to;
};

static void *
build_main(void *p)
{
	struct build_arg *b = p;
	secp256k1_context *ctx;
	size_t i;

	ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	if (ctx == NULL)
		die("secp256k1: no context");
	for (i = b->from; i < b->to; i++)
		build_one(ctx, b->run, b->run->start + i, &b->run->r[i]);
	secp256k1_context_destroy(ctx);
	return NULL;
}

/*
 * A minimal HTTP/1.1 keep-alive client over one TCP connection: the
 * generator has to leave the CPU to tmond, and libcurl's per-request
 * bookkeeping costs more than the whole exchange needs.  Answers are
 * read up to their Content-Length (tmond always sends one).
 */
struct conn {
	int	 fd;
	char	 buf[8192];
	size_t	 len;
};

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static bool
conn_open(struct conn *c, const struct sockaddr_in *to, const char *from)
{
	struct sockaddr_in sa;
	int one = 1;

	conn_close(c);
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return false;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (from != NULL) {
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		if (inet_pton(AF_INET, from, &sa.sin_addr) != 1 ||
		    bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			conn_close(c);
			return false;
		}
	}
	if (connect(c->fd, (const struct sockaddr *)to, sizeof(*to)) != 0) {
		conn_close(c);
		return false;
	}
	return true;
}

static bool
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/*
 * POST body; on an answer, *status and the body (NUL-terminated, cut to
 * fit) in out.  Returns false when the connection failed (no answer).
 */
static bool
conn_post(struct conn *c, const char *req, size_t len, long *status,
    char *out, size_t outsz)
{
	char *end, *cl;
	size_t hlen, need = 0, blen;
	ssize_t n;

	if (!write_all(c->fd, req, len))
		return false;
	c->len = 0;
	for (;;) {
		c->buf[c->len] = '\0';
		if ((end = strstr(c->buf, "\r\n\r\n")) != NULL) {
			hlen = (size_t)(end - c->buf) + 4;
			cl = strcasestr(c->buf, "\r\nContent-Length:");
			if (cl == NULL || cl > end)
				return false;
			need = hlen + strtoul(cl + 17, NULL, 10);
			if (need >= sizeof(c->buf))
				return false;
			if (c->len >= need)
				break;
		}
		if (c->len + 1 >= sizeof(c->buf))
			return false;
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len,
		    0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		c->len += (size_t)n;
	}
	if (sscanf(c->buf, "HTTP/1.1 %ld", status) != 1)
		return false;
	blen = need - hlen;
	if (blen >= outsz)
		blen = outsz - 1;
	memcpy(out, c->buf + hlen, blen);
	out[blen] = '\0';
	c->len = 0;
	return true;
}

/*
 * Take seq and leaf_hash from a 201 answer {"seq":N,"leaf_hash":"..."}
 * (tmond's compact JSON; `check` verifies every value against the log).
 */
static bool
parse_answer(const char *s, uint64_t *seq, char leaf[65])
{
	const char *p, *q;
	char num[24];
	size_t n;

	if ((p = strstr(s, "\"seq\":")) == NULL ||
	    (q = strstr(s, "\"leaf_hash\":\"")) == NULL)
		return false;
	p += 6;
	n = strspn(p, "0123456789");
	if (n == 0 || n >= sizeof(num))
		return false;
	memcpy(num, p, n);
	num[n] = '\0';
	q += 13;
	if (strspn(q, "0123456789abcdef") != 64 || q[64] != '"' ||
	    !parse_u64(num, 0, INT64_MAX, seq))
		return false;
	memcpy(leaf, q, 64);
	leaf[64] = '\0';
	return true;
}

static void *
conn_main(void *p)
{
	struct run *run = p;
	struct receipt *r;
	struct conn c;
	double last_ok;
	long status;
	size_t i, k;
	char from[32], answer[4096];
	bool ok;

	c.fd = -1;
	c.len = 0;
	/*
	 * tmond limits the connections from one address
	 * (http.max_connections_per_address); loopback has all of 127/8, so
	 * connection k binds
	 * 127.0.0.(1 + k / 8), like several clients would.
	 */
	pthread_mutex_lock(&run->mu);
	k = run->nconn++;
	pthread_mutex_unlock(&run->mu);
	snprintf(from, sizeof(from), "127.0.0.%u", (unsigned)(1 + k / 8));
	for (;;) {
		pthread_mutex_lock(&run->mu);
		i = run->next < run->count ? run->next++ : SIZE_MAX;
		pthread_mutex_unlock(&run->mu);
		if (i == SIZE_MAX)
			break;
		r = &run->r[i];
		last_ok = now_s();
		for (;;) {
			status = 0;
			ok = (c.fd != -1 || conn_open(&c, &run->to,
			    run->spread ? from : NULL)) &&
			    conn_post(&c, r->body, r->len, &status, answer,
			    sizeof(answer));
			if (!ok)
				conn_close(&c);
			if (ok && status == 201 &&
			    parse_answer(answer, &r->seq, r->leaf)) {
				r->answered = true;
				break;
			}
			if (ok && status != 503) {
				fprintf(stderr, "rcpt_load: receipt %" PRIu64
				    ": HTTP %ld %s\n", run->start + i, status,
				    answer);
				pthread_mutex_lock(&run->mu);
				run->failed++;
				pthread_mutex_unlock(&run->mu);
				break;
			}
			/* No answer (daemon gone) or 503: send it again. */
			r->retried = true;
			if (now_s() - last_ok > run->retry_s) {
				fprintf(stderr, "rcpt_load: receipt %" PRIu64
				    ": no answer for %d s\n", run->start + i,
				    run->retry_s);
				pthread_mutex_lock(&run->mu);
				run->failed++;
				pthread_mutex_unlock(&run->mu);
				break;
			}
			usleep(20000);
		}
		if (!r->answered)
			continue;
		pthread_mutex_lock(&run->mu);
		run->answered++;
		if (run->kill_pid > 0 && !run->killed &&
		    run->answered >= run->kill_at) {
			run->killed = true;
			if (kill(run->kill_pid, SIGKILL) == 0)
				fprintf(stderr, "rcpt_load: SIGKILL sent to %d "
				    "after %zu answers\n", (int)run->kill_pid,
				    run->answered);
		}
		pthread_mutex_unlock(&run->mu);
	}
	conn_close(&c);
	return NULL;
}

static int
cmd_run(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "start", required_argument, NULL, 's' },
		{ "connections", required_argument, NULL, 'c' },
		{ "answers", required_argument, NULL, 'a' },
		{ "kill-pid", required_argument, NULL, 'k' },
		{ "kill-at", required_argument, NULL, 'K' },
		{ "retry-seconds", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct run run;
	struct build_arg ba[2];
	pthread_t th[MAX_CONNECTIONS], bt[2];
	const char *host = "127.0.0.1", *answers = NULL;
	secp256k1_context *ctx;
	uint64_t v, port = 0, conns = DEFAULT_CONNECTIONS;
	double t0, t1;
	FILE *f;
	size_t i;
	int ch;

	memset(&run, 0, sizeof(run));
	run.count = DEFAULT_COUNT;
	run.retry_s = DEFAULT_RETRY_S;
	pthread_mutex_init(&run.mu, NULL);
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'H':
			host = optarg;
			break;
		case 'p':
			if (!parse_u64(optarg, 1, 65535, &port))
				die("--port");
			break;
		case 'n':
			if (!parse_u64(optarg, 1, 10000000, &v))
				die("--count");
			run.count = (size_t)v;
			break;
		case 's':
			if (!parse_u64(optarg, 0, UINT32_MAX, &run.start))
				die("--start");
			break;
		case 'c':
			if (!parse_u64(optarg, 1, MAX_CONNECTIONS, &conns))
				die("--connections");
			break;
		case 'a':
			answers = optarg;
			break;
		case 'k':
			if (!parse_u64(optarg, 1, INT32_MAX, &v))
				die("--kill-pid");
			run.kill_pid = (pid_t)v;
			break;
		case 'K':
			if (!parse_u64(optarg, 1, 10000000, &v))
				die("--kill-at");
			run.kill_at = (size_t)v;
			break;
		case 'r':
			if (!parse_u64(optarg, 1, 3600, &v))
				die("--retry-seconds");
			run.retry_s = (int)v;
			break;
		default:
			die("usage: see the comment at the top of rcpt_load.c");
		}
	}
	if (port == 0 || answers == NULL)
		die("run needs --port and --answers");
	run.spread = strcmp(host, "127.0.0.1") == 0 && conns > 8;
	memset(&run.to, 0, sizeof(run.to));
	run.to.sin_family = AF_INET;
	run.to.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &run.to.sin_addr) != 1)
		die("--host: an IPv4 address");
	run.host = host;

	/* A fresh key for the run. */
	ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	do {
		if (RAND_bytes(run.seckey, sizeof(run.seckey)) != 1)
			die("RAND_bytes");
	} while (!secp256k1_ec_seckey_verify(ctx, run.seckey));
	key_address(ctx, run.seckey, run.address);
	secp256k1_context_destroy(ctx);

	run.r = calloc(run.count, sizeof(*run.r));
	if (run.r == NULL)
		die("out of memory");
	t0 = now_s();
	for (i = 0; i < 2; i++) {
		ba[i].run = &run;
		ba[i].from = run.count * i / 2;
		ba[i].to = run.count * (i + 1) / 2;
		if (pthread_create(&bt[i], NULL, build_main, &ba[i]) != 0)
			die("pthread_create");
	}
	for (i = 0; i < 2; i++)
		pthread_join(bt[i], NULL);
	t1 = now_s();
	fprintf(stderr, "rcpt_load: built and signed %zu receipts in %.2f s "
	    "(signer %s)\n", run.count, t1 - t0, run.address);

	t0 = now_s();
	for (i = 0; i < conns; i++)
		if (pthread_create(&th[i], NULL, conn_main, &run) != 0)
			die("pthread_create");
	for (i = 0; i < conns; i++)
		pthread_join(th[i], NULL);
	t1 = now_s();

	if ((f = fopen(answers, "a")) == NULL)
		die("cannot open --answers");
	for (i = 0; i < run.count; i++) {
		if (run.r[i].answered)
			fprintf(f, "%" PRIu64 " %" PRIu64 " %s\n",
			    run.start + i, run.r[i].seq, run.r[i].leaf);
		if (run.r[i].retried)
			fprintf(f, "retried %" PRIu64 "\n", run.start + i);
		free(run.r[i].body);
	}
	if (fclose(f) != 0)
		die("cannot write --answers");
	printf("rcpt_load: %zu receipts answered 201 (%zu failed) over %llu "
	    "connections in %.2f s: %.0f receipts/s\n", run.answered,
	    run.failed, (unsigned long long)conns, t1 - t0,
	    (double)run.answered / (t1 - t0));
	free(run.r);
	return run.answered == run.count ? 0 : 1;
}

/* ---- check ---- */

struct logged {
	uint32_t	count;		/* receipt entries naming the index */
	bool		answered;
	bool		retried;
	uint64_t	seq;
	uint8_t		leaf[32];
};

struct scan {
	struct logged	*l;
	uint64_t	 start;
	size_t		 count;
	size_t		 receipts;
	size_t		 foreign;	/* receipt entries of no index */
};

/* The index named by a receipt entry's claims.text ("bench/<i>:..."). */
static bool
entry_index(const struct store_entry *e, uint64_t *idx)
{
	json_error_t jerr;
	json_t *root;
	const char *t;
	char num[24];
	size_t n;
	bool ok = false;

	root = json_loadb((const char *)e->body, e->body_len, 0, &jerr);
	if (root == NULL)
		return false;
	t = json_string_value(json_object_get(json_object_get(root,
	    "claims"), "text"));
	if (t != NULL && strncmp(t, "bench/", 6) == 0) {
		n = strcspn(t + 6, ":");
		if (n > 0 && n < sizeof(num)) {
			memcpy(num, t + 6, n);
			num[n] = '\0';
			ok = parse_u64(num, 0, UINT64_MAX, idx);
		}
	}
	json_decref(root);
	return ok;
}

static int
scan_cb(const struct store_entry *e, void *arg)
{
	struct scan *s = arg;
	uint64_t idx;

	s->receipts++;
	if (!entry_index(e, &idx) || idx < s->start ||
	    idx - s->start >= s->count) {
		s->foreign++;
		return 0;
	}
	s->l[idx - s->start].count++;
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmd_check(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "answers", required_argument, NULL, 'a' },
		{ "count", required_argument, NULL, 'n' },
		{ "start", required_argument, NULL, 's' },
		{ "max-dup", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL, *answers = NULL;
	struct scan sc;
	struct store *st = NULL;
	struct store_query q;
	struct store_entry e;
	struct tmon_err err;
	uint64_t v, idx, seq, size = 0, maxdup = 64, *seqs = NULL;
	size_t i, nseq = 0, answered = 0, retried = 0, dups = 0, bad = 0;
	char line[256], leafhex[80];
	uint8_t leaf[32];
	FILE *f;
	int ch;

	memset(&sc, 0, sizeof(sc));
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'a':
			answers = optarg;
			break;
		case 'n':
			if (!parse_u64(optarg, 1, 10000000, &v))
				die("--count");
			sc.count = (size_t)v;
			break;
		case 's':
			if (!parse_u64(optarg, 0, UINT32_MAX, &sc.start))
				die("--start");
			break;
		case 'D':
			if (!parse_u64(optarg, 0, 1000000, &maxdup))
				die("--max-dup");
			break;
		default:
			die("usage: see the comment at the top of rcpt_load.c");
		}
	}
	if (db == NULL || answers == NULL || sc.count == 0)
		die("check needs --db, --answers and --count");
	sc.l = calloc(sc.count, sizeof(*sc.l));
	seqs = calloc(sc.count, sizeof(*seqs));
	if (sc.l == NULL || seqs == NULL)
		die("out of memory");
	tmon_err_clear(&err);
	if (store_open(db, STORE_RO, &st, &err) != TMON_OK) {
		fprintf(stderr, "rcpt_load: %s\n", err.msg);
		return 2;
	}
	if ((f = fopen(answers, "r")) == NULL)
		die("cannot open --answers");
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "retried ", 8) == 0) {
			line[strcspn(line, "\n")] = '\0';
			if (!parse_u64(line + 8, 0, UINT64_MAX, &idx) ||
			    idx < sc.start || idx - sc.start >= sc.count)
				die("bad retried line");
			sc.l[idx - sc.start].retried = true;
			continue;
		}
		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %79s", &idx, &seq,
		    leafhex) != 3 || idx < sc.start ||
		    idx - sc.start >= sc.count ||
		    !hex_decode_exact(leafhex, strlen(leafhex), leaf, 32,
		    false))
			die("bad answer line");
		if (sc.l[idx - sc.start].answered) {
			printf("FAIL: index %" PRIu64 " answered twice\n", idx);
			bad++;
		}
		sc.l[idx - sc.start].answered = true;
		sc.l[idx - sc.start].seq = seq;
		memcpy(sc.l[idx - sc.start].leaf, leaf, 32);
		if (nseq < sc.count)
			seqs[nseq++] = seq;
		/* The entry must be there, a receipt, with that leaf. */
		tmon_err_clear(&err);
		if (store_entry_get(st, seq, &e, &err) != TMON_OK) {
			printf("FAIL: answered seq %" PRIu64 " (index %" PRIu64
			    ") not in the log: %s\n", seq, idx, err.msg);
			bad++;
			continue;
		}
		if (strcmp(e.kind, "receipt") != 0 ||
		    memcmp(e.leaf, leaf, 32) != 0 ||
		    !entry_index(&e, &v) || v != idx) {
			printf("FAIL: seq %" PRIu64 " is not the receipt "
			    "answered for index %" PRIu64 "\n", seq, idx);
			bad++;
		}
		store_entry_free(&e);
	}
	fclose(f);
	/* No seq answered twice. */
	qsort(seqs, nseq, sizeof(*seqs), cmp_u64);
	for (i = 1; i < nseq; i++)
		if (seqs[i] == seqs[i - 1]) {
			printf("FAIL: seq %" PRIu64 " answered twice\n",
			    seqs[i]);
			bad++;
		}
	/* Every logged receipt, counted per index. */
	store_query_init(&q);
	q.kind = "receipt";
	tmon_err_clear(&err);
	if (store_query(st, &q, scan_cb, &sc, &err) != TMON_OK) {
		fprintf(stderr, "rcpt_load: %s\n", err.msg);
		return 2;
	}
	for (i = 0; i < sc.count; i++) {
		if (sc.l[i].answered)
			answered++;
		else {
			printf("FAIL: index %" PRIu64 " never answered 201\n",
			    sc.start + i);
			bad++;
		}
		if (sc.l[i].retried)
			retried++;
		if (sc.l[i].count == 0) {
			printf("FAIL: index %" PRIu64 " is not in the log\n",
			    sc.start + i);
			bad++;
		} else if (sc.l[i].count > 1) {
			dups += sc.l[i].count - 1;
			if (!sc.l[i].retried) {
				printf("FAIL: index %" PRIu64 " logged %u "
				    "times but sent once\n", sc.start + i,
				    sc.l[i].count);
				bad++;
			}
		}
	}
	if (dups > maxdup) {
		printf("FAIL: %zu duplicate entries (max %" PRIu64 ")\n",
		    dups, maxdup);
		bad++;
	}
	tmon_err_clear(&err);
	if (store_verify_chain(st, &size, NULL, &err) != TMON_OK) {
		printf("FAIL: chain: %s\n", err.msg);
		bad++;
	}
	store_close(st);
	printf("rcpt_load check: %zu indices, %zu answered, %zu retried, "
	    "%zu receipt entries in the log (%zu foreign, %zu duplicates "
	    "of retried sends), %" PRIu64 " entries in all, chain %s: %s\n",
	    sc.count, answered, retried, sc.receipts, sc.foreign, dups, size,
	    bad == 0 ? "ok" : "?", bad == 0 ? "PASS" : "FAIL");
	free(sc.l);
	free(seqs);
	return bad == 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	fprintf(stderr, "usage: rcpt_load run|check ... (see rcpt_load.c)\n");
	return 2;
}
