/*
 * logkey.c: the log's signing key, checkpoint signing and the start-up
 * checks of the stored checkpoints (logkey.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "log.h"
#include "logkey.h"
#include "note.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

struct logkey {
	struct note_signer	signer;
	struct note_verifier	verifier;
	char			vkey[NOTE_VKEY_MAX];
	char			origin[MAX_NOTE_NAME + 1];
	char			checkpoint_file[4096];
	void			(*notify)(void *,
				    const struct store_checkpoint *);
	void			*notify_arg;
};

enum tmon_rc
logkey_paths(const struct log_cfg *lc, const char *db_path,
    const char *listen_host, uint16_t listen_port, struct logkey_paths *p,
    struct tmon_err *err)
{
	int n;

	memset(p, 0, sizeof(*p));
	p->origin_fixed = lc->origin != NULL;
	if (lc->origin != NULL)
		n = snprintf(p->origin, sizeof(p->origin), "%s", lc->origin);
	else
		n = snprintf(p->origin, sizeof(p->origin), "%s:%u/tmon",
		    listen_host, (unsigned)listen_port);
	if (n < 0 || (size_t)n >= sizeof(p->origin) ||
	    !note_name_valid(p->origin, strlen(p->origin)))
		return tmon_err_set(err, TMON_E_CONFIG, "log.origin: \"%.64s\" "
		    "is not a key name (set log.origin)", p->origin);
	n = lc->key_file != NULL ?
	    snprintf(p->key_file, sizeof(p->key_file), "%s", lc->key_file) :
	    snprintf(p->key_file, sizeof(p->key_file), "%s.key", db_path);
	if (n < 0 || (size_t)n >= sizeof(p->key_file))
		return tmon_err_set(err, TMON_E_CONFIG, "log.key_file: path "
		    "too long");
	n = lc->checkpoint_file != NULL ?
	    snprintf(p->checkpoint_file, sizeof(p->checkpoint_file), "%s",
	    lc->checkpoint_file) :
	    snprintf(p->checkpoint_file, sizeof(p->checkpoint_file),
	    "%s.checkpoint", db_path);
	if (n < 0 || (size_t)n >= sizeof(p->checkpoint_file))
		return tmon_err_set(err, TMON_E_CONFIG, "log.checkpoint_file: "
		    "path too long");
	return TMON_OK;
}

/*
 * Open a signed checkpoint note (len bytes) as the log's: this origin,
 * signed by v; *cp gets it.  what names it in messages.
 */
static enum tmon_rc
open_note(const struct note_verifier *v, const char *origin,
    const uint8_t *note, size_t len, const char *what,
    struct note_checkpoint *cp, struct tmon_err *err)
{
	struct note_policy pol;
	struct tmon_err nerr;
	enum note_verdict nv;

	memset(&pol, 0, sizeof(pol));
	pol.log = v;
	pol.origin = origin;
	tmon_err_clear(&nerr);
	nv = note_checkpoint_open(note, len, &pol, cp, NULL, &nerr);
	if (nv == NOTE_PASS)
		return TMON_OK;
	if (nv == NOTE_UNCHECKED)
		return tmon_err_set(err, nerr.code != TMON_OK ? nerr.code :
		    TMON_E_CRYPTO_LIB, "%s: could not be checked: %s", what,
		    nerr.msg);
	return tmon_err_set(err, TMON_E_PARSE, "%s: %s (%s): is the key "
	    "file the one that signed this log?", what, note_verdict_str(nv),
	    nerr.msg);
}

/* The latest stored checkpoint and the checkpoint file against the tree
 * and the key. */
static enum tmon_rc
check_log(const struct note_verifier *v, const char *origin,
    const char *checkpoint_file, struct store *s, struct tmon_err *err)
{
	struct store_checkpoint c;
	struct note_checkpoint cp;
	struct tmon_err lerr;
	uint8_t *file = NULL, root[32];
	uint64_t size;
	size_t len;
	enum tmon_rc rc;
	char what[64];

	memset(&c, 0, sizeof(c));
	if ((rc = store_tree_size(s, &size, err)) != TMON_OK)
		return rc;
	tmon_err_clear(&lerr);
	rc = store_checkpoint_latest(s, &c, &lerr);
	if (rc == TMON_OK) {
		snprintf(what, sizeof(what), "checkpoint %" PRIu64, c.size);
		if ((rc = open_note(v, origin, c.note, c.note_len, what, &cp,
		    err)) != TMON_OK)
			goto out;
		if (cp.size != c.size || CRYPTO_memcmp(cp.root, c.root, 32) !=
		    0) {
			rc = tmon_err_set(err, TMON_E_PARSE, "%s: its note "
			    "names size %" PRIu64 " and another root than its "
			    "row", what, cp.size);
			goto out;
		}
	} else if (rc != TMON_E_NOTFOUND) {
		rc = tmon_err_set(err, rc, "%s", lerr.msg);
		goto out;
	}
	tmon_err_clear(&lerr);
	rc = read_file(checkpoint_file, MAX_CHECKPOINT_NOTE, &file, &len,
	    &lerr);
	if (rc != TMON_OK) {
		struct stat sb;

		if (stat(checkpoint_file, &sb) == -1 && errno == ENOENT) {
			rc = TMON_OK;	/* none written yet */
			goto out;
		}
		rc = tmon_err_set(err, rc, "%s", lerr.msg);
		goto out;
	}
	if ((rc = open_note(v, origin, file, len, checkpoint_file, &cp,
	    err)) != TMON_OK)
		goto out;
	if (cp.size > size) {
		rc = tmon_err_set(err, TMON_E_PARSE, "%s: the log signed %" PRIu64
		    " entries, the database has %" PRIu64 ": it was rolled "
		    "back or replaced (start --read-only to look at it)",
		    checkpoint_file, cp.size, size);
		goto out;
	}
	if ((rc = store_tree_root(s, cp.size, root, err)) != TMON_OK)
		goto out;
	if (CRYPTO_memcmp(root, cp.root, 32) != 0) {
		rc = tmon_err_set(err, TMON_E_PARSE, "%s: the first %" PRIu64
		    " entries of the database are not the ones the log signed: "
		    "it was changed (run tmonctl audit)", checkpoint_file,
		    cp.size);
		goto out;
	}
	rc = TMON_OK;
out:
	store_checkpoint_free(&c);
	free(file);
	return rc;
}

enum tmon_rc
logkey_open(const struct logkey_paths *p, bool create, struct store *s,
    struct logkey **out, struct tmon_err *err)
{
	struct store_checkpoint c;
	struct logkey *k;
	struct tmon_err lerr;
	enum tmon_rc rc;
	bool have_cp;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	tmon_err_clear(&lerr);
	rc = store_checkpoint_latest(s, &c, &lerr);
	if (rc != TMON_OK && rc != TMON_E_NOTFOUND)
		return tmon_err_set(err, rc, "%s", lerr.msg);
	have_cp = rc == TMON_OK;
	store_checkpoint_free(&c);
	k = xcalloc(1, sizeof(*k));
	tmon_err_clear(&lerr);
	/* Without a configured origin, the key's name is the origin. */
	rc = note_keyfile_load_or_create(p->key_file, p->origin_fixed ?
	    p->origin : NULL, false, &k->signer, &lerr) == TMON_OK ? TMON_OK :
	    lerr.code;
	if (rc == TMON_E_NOTFOUND && create && !have_cp) {
		tmon_err_clear(&lerr);
		rc = note_keyfile_load_or_create(p->key_file, p->origin, true,
		    &k->signer, &lerr) == TMON_OK ? TMON_OK : lerr.code;
		if (rc == TMON_OK)
			log_info("log: new signing key %s for origin %s",
			    p->key_file, p->origin);
	}
	if (rc == TMON_E_NOTFOUND) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "log.key_file: %s does "
		    "not exist%s", p->key_file, have_cp ? ", and the log has "
		    "checkpoints signed by it: restore the key file" : ": "
		    "start tmond with --init to create it");
		goto fail;
	}
	if (rc != TMON_OK) {
		rc = tmon_err_set(err, rc, "log.key_file: %s", lerr.msg);
		goto fail;
	}
	note_signer_verifier(&k->signer, &k->verifier);
	if (!note_verifier_format(&k->verifier, k->vkey, sizeof(k->vkey))) {
		rc = tmon_err_set(err, TMON_E_INTERNAL, "log key: verifier key "
		    "does not fit");
		goto fail;
	}
	snprintf(k->origin, sizeof(k->origin), "%s", k->signer.name);
	snprintf(k->checkpoint_file, sizeof(k->checkpoint_file), "%s",
	    p->checkpoint_file);
	if ((rc = check_log(&k->verifier, k->origin, k->checkpoint_file, s,
	    err)) != TMON_OK)
		goto fail;
	*out = k;
	return TMON_OK;
fail:
	logkey_free(k);
	return rc;
}

enum tmon_rc
logkey_check(const char *vkey, const char *origin,
    const char *checkpoint_file, struct store *s, struct tmon_err *err)
{
	struct note_verifier v;
	enum tmon_rc rc;

	if ((rc = note_verifier_parse(vkey, strlen(vkey), &v, err)) !=
	    TMON_OK)
		return rc;
	return check_log(&v, origin, checkpoint_file, s, err);
}

const char *
logkey_vkey(const struct logkey *k)
{
	return k->vkey;
}

const char *
logkey_origin(const struct logkey *k)
{
	return k->origin;
}

/* store_writer_signer.sign: the checkpoint note of (size, root). */
static enum tmon_rc
sign_checkpoint(void *arg, uint64_t size, const uint8_t root[32],
    uint8_t **note, size_t *len, struct tmon_err *err)
{
	struct logkey *k = arg;
	struct buf text, out;
	enum tmon_rc rc;

	buf_init(&text, MAX_CHECKPOINT_NOTE);
	buf_init(&out, MAX_CHECKPOINT_NOTE);
	if ((rc = note_checkpoint_format(k->origin, size, root, NULL, 0,
	    &text, err)) == TMON_OK &&
	    (rc = note_sign(&k->signer, text.data, text.len, &out, err)) ==
	    TMON_OK)
		*note = buf_release(&out, len);
	buf_free(&text);
	buf_free(&out);
	return rc;
}

/* store_writer_signer.signed_cb: the checkpoint file, then the
 * witnesses. */
static void
checkpoint_signed(void *arg, const struct store_checkpoint *c)
{
	struct logkey *k = arg;
	struct tmon_err err;

	tmon_err_clear(&err);
	if (write_file_atomic(k->checkpoint_file, c->note, c->note_len, 0644,
	    &err) != TMON_OK)
		log_warnx("log: checkpoint %" PRIu64 " signed and stored, but "
		    "not written to the checkpoint file: %s", c->size,
		    err.msg);
	if (k->notify != NULL)
		k->notify(k->notify_arg, c);
}

void
logkey_writer_signer(struct logkey *k, unsigned interval_ms,
    void (*notify)(void *arg, const struct store_checkpoint *c), void *arg,
    struct store_writer_signer *out)
{
	k->notify = notify;
	k->notify_arg = arg;
	memset(out, 0, sizeof(*out));
	out->sign = sign_checkpoint;
	out->signed_cb = checkpoint_signed;
	out->arg = k;
	out->interval_ms = interval_ms;
}

void
logkey_free(struct logkey *k)
{
	if (k == NULL)
		return;
	note_signer_clear(&k->signer);
	free(k);
}
