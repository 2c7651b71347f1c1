package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// witness is a C2SP tlog-witness (https://c2sp.org/tlog-witness) for
// one log, cosigning with an Ed25519 cosignature/v1 key
// (https://c2sp.org/tlog-cosignature).  Its state is the latest
// checkpoint it cosigned: size, root and the note it returns at
// GET /<origin hash>/checkpoint.
type witness struct {
	name   string
	key    ed25519.PrivateKey
	id     uint32
	origin string
	logV   note.Verifier
	state  string // file the state is saved to, or ""
	now    func() time.Time
	logf   func(format string, args ...interface{})

	mu   sync.Mutex
	size int64
	root tlog.Hash
	note []byte // the latest cosigned checkpoint with every signature
}

const maxAddCheckpoint = 1 << 16

// witnessState is the saved state: "SIZE\nBASE64 ROOT\n" then the
// latest cosigned checkpoint, if any.
func (w *witness) loadState(b []byte) error {
	parts := strings.SplitN(string(b), "\n", 3)
	if len(parts) < 2 {
		return errors.New("state: want SIZE and ROOT lines")
	}
	n, err := parseSize(parts[0])
	if err != nil {
		return fmt.Errorf("state: size %q: %v", parts[0], err)
	}
	r, err := parseHash(parts[1])
	if err != nil {
		return fmt.Errorf("state: root %q: %v", parts[1], err)
	}
	w.size, w.root = n, r
	if len(parts) == 3 && parts[2] != "" {
		w.note = []byte(parts[2])
	}
	return nil
}

func (w *witness) saveState() error {
	if w.state == "" {
		return nil
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d\n%s\n", w.size, hashB64(w.root))
	b.Write(w.note)
	tmp := w.state + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, w.state)
}

// cosign returns the note signature line of a cosignature/v1 over the
// checkpoint text at time t: "— name base64(key id || u64 BE t ||
// Ed25519 signature)\n".
func (w *witness) cosign(text []byte, t uint64) string {
	sig := make([]byte, 4+8, 4+8+ed25519.SignatureSize)
	binary.BigEndian.PutUint32(sig[:4], w.id)
	binary.BigEndian.PutUint64(sig[4:12], t)
	sig = append(sig, ed25519.Sign(w.key, cosignedMessage(t, text))...)
	return "— " + w.name + " " + base64.StdEncoding.EncodeToString(sig) + "\n"
}

func (w *witness) vkey() string {
	return cosignerVkey(w.name, w.key.Public().(ed25519.PublicKey))
}

// addRequest is the body of an add-checkpoint request: "old N\n", up to
// 63 base64 consistency proof hashes, one a line, an empty line, then
// the signed checkpoint.
type addRequest struct {
	old   int64
	proof []tlog.Hash
	note  []byte
}

func parseAddRequest(b []byte) (*addRequest, error) {
	r := &addRequest{}
	line := func() (string, bool) {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return "", false
		}
		l := string(b[:i])
		b = b[i+1:]
		return l, true
	}
	l, ok := line()
	if !ok || !strings.HasPrefix(l, "old ") {
		return nil, errors.New("no old size line")
	}
	var err error
	if r.old, err = parseSize(l[4:]); err != nil {
		return nil, fmt.Errorf("old size %q: %v", l[4:], err)
	}
	for {
		l, ok := line()
		if !ok {
			return nil, errors.New("no empty line before the checkpoint")
		}
		if l == "" {
			break
		}
		if len(r.proof) == 63 {
			return nil, errors.New("more than 63 proof lines")
		}
		h, err := parseHash(l)
		if err != nil {
			return nil, fmt.Errorf("proof line %q: %v", l, err)
		}
		r.proof = append(r.proof, h)
	}
	r.note = b
	return r, nil
}

// add runs the checks of C2SP tlog-witness "add-checkpoint" in its
// order and returns the HTTP status, the content type and the body.
func (w *witness) add(body []byte) (int, string, string, string) {
	const text = "text/plain; charset=utf-8"
	req, err := parseAddRequest(body)
	if err != nil {
		return 400, text, err.Error() + "\n", err.Error()
	}
	// The origin decides which keys to verify with: unknown, 404.
	origin := string(req.note)
	if i := strings.IndexByte(origin, '\n'); i >= 0 {
		origin = origin[:i]
	}
	if origin != w.origin {
		return 404, text, "unknown log\n", fmt.Sprintf("unknown origin %q", origin)
	}
	n, err := note.Open(req.note, note.VerifierList(w.logV))
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified) || errors.As(err, &invalid):
		return 403, text, "no valid log signature\n", err.Error()
	case err != nil:
		return 400, text, "malformed checkpoint\n", err.Error()
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return 400, text, "malformed checkpoint\n", err.Error()
	}
	if req.old > c.size {
		return 400, text, "old size above the checkpoint size\n", fmt.Sprintf("old %d > size %d", req.old, c.size)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if req.old != w.size {
		return 409, "text/x.tlog.size", fmt.Sprintf("%d\n", w.size), fmt.Sprintf("old %d, latest cosigned size %d", req.old, w.size)
	}
	switch {
	case c.size == 0 && c.root != emptyRoot:
		return 422, text, "size 0 with a root other than the empty tree's\n", "bad empty root"
	case req.old == 0 && len(req.proof) != 0:
		return 422, text, "a proof from size 0\n", "proof from size 0"
	case req.old == 0:
	case req.old == c.size:
		if len(req.proof) != 0 || c.root != w.root {
			return 422, text, "same size, another root or a proof\n", fmt.Sprintf("size %d: root %s, cosigned %s", c.size, hashB64(c.root), hashB64(w.root))
		}
	default:
		// RFC 6962 section 2.1.2 (RFC 9162 section 2.1.4.2).
		if err := tlog.CheckTree(tlog.TreeProof(req.proof), c.size, c.root, req.old, w.root); err != nil {
			return 422, text, "consistency proof does not verify\n", fmt.Sprintf("%d -> %d: %v", req.old, c.size, err)
		}
	}
	t := uint64(w.now().Unix())
	line := w.cosign([]byte(n.Text), t)
	prevSize, prevRoot, prevNote := w.size, w.root, w.note
	w.size, w.root = c.size, c.root
	w.note = append(append([]byte(nil), req.note...), line...)
	// Persisted before the answer, atomically with the check (mu held).
	if err := w.saveState(); err != nil {
		w.size, w.root, w.note = prevSize, prevRoot, prevNote
		return 500, text, "cannot save state\n", err.Error()
	}
	return 200, text, line, fmt.Sprintf("cosigned size %d", c.size)
}

func (w *witness) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	status, ctype, body, why := w.serve(r)
	w.logf("%s %s: %d %s", r.Method, r.URL.Path, status, why)
	rw.Header().Set("Content-Type", ctype)
	rw.WriteHeader(status)
	io.WriteString(rw, body)
}

func (w *witness) serve(r *http.Request) (int, string, string, string) {
	const text = "text/plain; charset=utf-8"
	if r.URL.Path == "/add-checkpoint" {
		if r.Method != http.MethodPost {
			return 405, text, "POST only\n", "not a POST"
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxAddCheckpoint+1))
		if err != nil {
			return 400, text, "cannot read the request\n", err.Error()
		}
		if len(body) > maxAddCheckpoint {
			return 400, text, "request too large\n", "request too large"
		}
		return w.add(body)
	}
	// Monitor retrieval: GET /<hex SHA-256 of the origin>/checkpoint.
	sum := sha256.Sum256([]byte(w.origin))
	if r.URL.Path == "/"+hex.EncodeToString(sum[:])+"/checkpoint" && r.Method == http.MethodGet {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.note == nil {
			return 404, text, "nothing cosigned yet\n", "nothing cosigned"
		}
		return 200, text, string(w.note), "latest checkpoint"
	}
	return 404, text, "not found\n", "no such resource"
}

// newWitness makes a witness; a nil key is generated.
func newWitness(name string, key ed25519.PrivateKey, logVkey, origin string) (*witness, error) {
	if name == "" || strings.ContainsAny(name, "+ \n") {
		return nil, fmt.Errorf("witness name %q: not a note key name", name)
	}
	if key == nil {
		var err error
		if _, key, err = ed25519.GenerateKey(rand.Reader); err != nil {
			return nil, err
		}
	}
	lv, err := note.NewVerifier(logVkey)
	if err != nil {
		return nil, fmt.Errorf("log verifier key: %v", err)
	}
	w := &witness{
		name:   name,
		key:    key,
		origin: origin,
		logV:   lv,
		now:    time.Now,
		logf:   func(string, ...interface{}) {},
		root:   emptyRoot,
	}
	w.id = keyID(name, sigCosignatureV1, key.Public().(ed25519.PublicKey))
	return w, nil
}

func cmdWitness(args []string) error {
	fs := flag.NewFlagSet("witness", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "listen on `HOST:PORT`")
	name := fs.String("name", "", "the witness's key `NAME`")
	logVkey := fs.String("log-vkey", "", "the log's verifier `VKEY` (Ed25519 signed note)")
	origin := fs.String("origin", "", "the log's `ORIGIN` line")
	keyFile := fs.String("key", "", "`FILE` holding the 32-byte Ed25519 seed (created if absent)")
	state := fs.String("state", "", "keep the latest cosigned checkpoint in `FILE` (loaded if present)")
	initSize := fs.Int64("init-size", -1, "start as if size `N` had been cosigned (with -init-root)")
	initRoot := fs.String("init-root", "", "the root (`BASE64`) of -init-size")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 || *name == "" || *logVkey == "" || *origin == "" ||
		(*initSize >= 0) != (*initRoot != "") {
		return usagef("witness -listen HOST:PORT -name NAME -log-vkey VKEY -origin ORIGIN [-key FILE] [-state FILE] [-init-size N -init-root B64]")
	}
	var key ed25519.PrivateKey
	if *keyFile != "" {
		seed, err := os.ReadFile(*keyFile)
		if errors.Is(err, os.ErrNotExist) {
			seed = make([]byte, ed25519.SeedSize)
			if _, err = rand.Read(seed); err == nil {
				err = os.WriteFile(*keyFile, seed, 0o600)
			}
		}
		if err != nil {
			return err
		}
		if len(seed) != ed25519.SeedSize {
			return usagef("%s: %d bytes, want a %d-byte seed", *keyFile, len(seed), ed25519.SeedSize)
		}
		key = ed25519.NewKeyFromSeed(seed)
	}
	w, err := newWitness(*name, key, *logVkey, *origin)
	if err != nil {
		return usagef("%v", err)
	}
	w.state = *state
	w.logf = log.New(os.Stderr, "tmon-witness: ", log.LstdFlags).Printf
	if *state != "" {
		b, err := os.ReadFile(*state)
		if err == nil {
			if err := w.loadState(b); err != nil {
				return usagef("%s: %v", *state, err)
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if *initSize >= 0 {
		r, err := parseHash(*initRoot)
		if err != nil {
			return usagef("-init-root: %v", err)
		}
		w.size, w.root = *initSize, r
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	// The verifier key first, then the line tests wait for.
	fmt.Println(w.vkey())
	fmt.Printf("tmon-witness: listening on http://%s\n", ln.Addr())
	os.Stdout.Sync()
	srv := &http.Server{Handler: w, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	return srv.Serve(ln)
}
