/*
 * libFuzzer target: the C2SP parsers of tlog/note.c on the same input: a
 * signed note (note_parse, note_verify), a checkpoint text
 * (note_checkpoint_parse) and a signed checkpoint (note_checkpoint_open),
 * a tlog proof (note_proof_parse, note_proof_verify), a witness 200 and
 * 409 answer (note_witness_response_parse, note_witness_cosignature,
 * note_witness_conflict_parse) and key texts (note_verifier_parse,
 * note_signer_parse).  The keys are the Go-made test keys of
 * tests/data/tlog/ (public on purpose).
 * Invariants:
 *   - a parsed note's text and lines lie inside the input, the text ends
 *     in "\n", every line starts with the em dash and ends in "\n";
 *   - a parsed checkpoint, and a parsed proof, format back to exactly the
 *     input bytes (one text per value);
 *   - a signature that verifies is the one the key makes (Ed25519 of the
 *     Go key is deterministic): nothing else passes;
 *   - a proof passes only if its inclusion proof gives the root.
 * Seeds: tests/fuzz/seeds/note/ (the files of tests/data/tlog/, a vkey
 * and a 409 body).  About 1.2 million runs and "cov: 443" after 90 s
 * from the seeds on this machine (-max_len=4096), no findings.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "encode.h"
#include "log.h"
#include "note.h"
#include "tlog.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LOG_SKEY	"PRIVATE+KEY+example.com/tmon-go+b21bba1c+ARJPkLxCcWLMEDj5KfEj7qwk64nJw97aFsx4HDaSwG3G"
#define WIT_SKEY	"PRIVATE+KEY+witness.example/tmon-w1+dfe9586e+BMmiXYo+UrMVG0pJZ/ruqqhBDKzcUud/onzI85dn2sWW"
#define CP_TEXT		"example.com/tmon-go\n13\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\n"

static struct note_signer log_s, wit_s;
static struct note_verifier keys[2];

static void
init_keys(void)
{
	static int done;

	if (done)
		return;
	TMON_ASSERT(note_signer_parse(LOG_SKEY, strlen(LOG_SKEY), &log_s,
	    NULL) == TMON_OK);
	TMON_ASSERT(note_signer_parse(WIT_SKEY, strlen(WIT_SKEY), &wit_s,
	    NULL) == TMON_OK);
	note_signer_verifier(&log_s, &keys[0]);
	note_signer_verifier(&wit_s, &keys[1]);
	done = 1;
}

/* The line key k makes over text (at time t for a cosigner) is line. */
static void
same_line(size_t k, const uint8_t *text, size_t len, uint64_t t,
    const struct note_sig *line)
{
	struct buf b;

	buf_init(&b, MAX_NOTE_LEN);
	if (k == 0)
		TMON_ASSERT(note_sign(&log_s, text, len, &b, NULL) == TMON_OK);
	else
		TMON_ASSERT(note_cosign(&wit_s, text, len, t, &b, NULL) ==
		    TMON_OK);
	/* note_sign wrote text "\n" line */
	if (k == 0) {
		TMON_ASSERT(b.len == len + 1 + line->line_len);
		TMON_ASSERT(memcmp(b.data + len + 1, line->line,
		    line->line_len) == 0);
	} else {
		TMON_ASSERT(b.len == line->line_len);
		TMON_ASSERT(memcmp(b.data, line->line, line->line_len) == 0);
	}
	buf_free(&b);
}

static void
notes(const uint8_t *data, size_t size)
{
	static struct note n;
	struct note_keyresult res[2];
	enum note_verdict v;
	size_t i, k;

	if (note_parse(data, size, &n, NULL) != TMON_OK) {
		TMON_ASSERT(n.nsigs == 0 && n.text == NULL);
		return;
	}
	TMON_ASSERT(n.text == data && n.text_len > 0 && n.text_len < size);
	TMON_ASSERT(data[n.text_len - 1] == '\n');
	TMON_ASSERT(n.nsigs >= 1 && n.nsigs <= MAX_NOTE_SIGS);
	for (i = 0; i < n.nsigs; i++) {
		TMON_ASSERT(n.sigs[i].line > data + n.text_len &&
		    n.sigs[i].line + n.sigs[i].line_len <= data + size);
		TMON_ASSERT(memcmp(n.sigs[i].line, "\xe2\x80\x94 ", 4) == 0);
		TMON_ASSERT(n.sigs[i].line[n.sigs[i].line_len - 1] == '\n');
		TMON_ASSERT(note_name_valid(n.sigs[i].name,
		    n.sigs[i].name_len));
	}
	v = note_verify(&n, keys, 2, res, NULL);
	TMON_ASSERT(v != NOTE_UNCHECKED);
	for (k = 0; k < 2; k++) {
		if (res[k].verified) {
			TMON_ASSERT(res[k].present);
			same_line(k, n.text, n.text_len, res[k].time,
			    &n.sigs[res[k].line]);
		}
	}
	if (v == NOTE_PASS)
		TMON_ASSERT(res[0].verified || res[1].verified);
}

static void
checkpoints(const uint8_t *data, size_t size)
{
	struct note_checkpoint c;
	struct note_policy pol;
	struct note_keyresult wres;
	char *origin;
	struct buf b;

	if (note_checkpoint_parse(data, size, &c, NULL) == TMON_OK) {
		TMON_ASSERT(c.size < TLOG_MAX_SIZE && c.origin_len > 0);
		origin = malloc(c.origin_len + 1);
		memcpy(origin, c.origin, c.origin_len);
		origin[c.origin_len] = '\0';
		buf_init(&b, MAX_NOTE_LEN);
		TMON_ASSERT(note_checkpoint_format(origin, c.size, c.root,
		    c.ext, c.ext_len, &b, NULL) == TMON_OK);
		TMON_ASSERT(b.len == size && memcmp(b.data, data, size) == 0);
		buf_free(&b);
		free(origin);
	}
	memset(&pol, 0, sizeof(pol));
	pol.log = &keys[0];
	pol.witnesses = &keys[1];
	pol.nwitnesses = 1;
	if (note_checkpoint_open(data, size, &pol, &c, &wres, NULL) ==
	    NOTE_PASS)
		TMON_ASSERT(c.origin_len == strlen(keys[0].name) &&
		    memcmp(c.origin, keys[0].name, c.origin_len) == 0);
}

static void
proofs(const uint8_t *data, size_t size)
{
	static struct note_proof p;
	struct note_checkpoint c;
	struct note_policy pol;
	uint8_t *x = NULL, leaf[32];
	size_t xlen = 0;
	struct buf b;

	if (note_proof_parse(data, size, &p, NULL) == TMON_OK) {
		TMON_ASSERT(p.nhashes <= TLOG_MAX_PROOF && p.note != NULL);
		if (p.extra != NULL) {
			x = b64_decode_alloc(p.extra, p.extra_len,
			    MAX_TLOG_PROOF_EXTRA, &xlen);
			TMON_ASSERT(x != NULL && xlen > 0);
		}
		buf_init(&b, MAX_TLOG_PROOF_LEN);
		/* a parsed proof may name an index past its tree: format
		 * refuses that */
		if (note_proof_format(x, xlen, p.index,
		    (const uint8_t (*)[32])p.hashes, p.nhashes, p.note,
		    p.note_len, &b, NULL) == TMON_OK)
			TMON_ASSERT(b.len == size &&
			    memcmp(b.data, data, size) == 0);
		buf_free(&b);
		free(x);
	}
	memset(&pol, 0, sizeof(pol));
	pol.log = &keys[0];
	pol.witnesses = &keys[1];
	pol.nwitnesses = 1;
	if (note_proof_verify(data, size, (const uint8_t *)"entry 6", 7, &pol,
	    &p, &c, NULL, NULL) == NOTE_PASS) {
		tlog_leaf_hash("entry 6", 7, leaf);
		TMON_ASSERT(p.index < c.size);
		TMON_ASSERT(tlog_verify_inclusion(p.index, c.size, leaf,
		    (const uint8_t (*)[32])p.hashes, p.nhashes, c.root));
	}
}

static void
witness(const uint8_t *data, size_t size)
{
	static struct note_witness_response r;
	struct note_sig line;
	uint64_t t, n;

	if (note_witness_response_parse(data, size, &r, NULL) == TMON_OK)
		TMON_ASSERT(r.nsigs >= 1 && r.nsigs <= MAX_WITNESS_SIGS);
	else
		TMON_ASSERT(r.nsigs == 0);
	if (note_witness_cosignature(&keys[1], (const uint8_t *)CP_TEXT,
	    strlen(CP_TEXT), data, size, &line, &t, NULL) == NOTE_PASS) {
		TMON_ASSERT(line.line >= data &&
		    line.line + line.line_len <= data + size);
		same_line(1, (const uint8_t *)CP_TEXT, strlen(CP_TEXT), t,
		    &line);
	}
	if (note_witness_conflict_parse(data, size, &n, NULL) == TMON_OK)
		TMON_ASSERT(size >= 2 && size <= 21);
}

static void
keytexts(const uint8_t *data, size_t size)
{
	struct note_verifier v;
	struct note_signer s;
	char buf[NOTE_SKEY_MAX];

	if (note_verifier_parse((const char *)data, size, &v, NULL) ==
	    TMON_OK) {
		TMON_ASSERT(note_verifier_format(&v, buf, sizeof(buf)));
		TMON_ASSERT(strlen(buf) == size && memcmp(buf, data,
		    size) == 0);
	}
	if (note_signer_parse((const char *)data, size, &s, NULL) ==
	    TMON_OK) {
		TMON_ASSERT(note_signer_format(&s, buf, sizeof(buf)));
		TMON_ASSERT(strlen(buf) == size && memcmp(buf, data,
		    size) == 0);
		note_signer_clear(&s);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init_keys();
	notes(data, size);
	checkpoints(data, size);
	proofs(data, size);
	witness(data, size);
	keytexts(data, size);
	return 0;
}
