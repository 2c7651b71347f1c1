package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// goLog is a log served by Go from golang.org/x/mod/sumdb/tlog alone,
// with the endpoints of tmond's /api/v1/log (checkpoint, entries/{seq},
// proof/inclusion, proof/consistency) and its C2SP tlog-tiles, so that the api and tiles modes can be
// checked before and apart from tmond.  fault names one thing it gets
// wrong on purpose ("" for none).
type goLog struct {
	t       memTree
	entries [][]byte
	origin  string
	signer  note.Signer
	cosig   string // cosignature lines appended to the checkpoint
	fault   string
	files   map[string][]byte // tiles and entry bundles by path
	cp      []byte
}

func newGoLog(n int64, origin, skey, fault string) (*goLog, error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, err
	}
	l := &goLog{origin: origin, signer: s, fault: fault}
	for i := int64(0); i < n; i++ {
		e := testEntry(i)
		if _, err := l.t.add(e); err != nil {
			return nil, err
		}
		l.entries = append(l.entries, e)
	}
	root, err := l.t.root(n)
	if err != nil {
		return nil, err
	}
	if fault == "checkpoint-root" {
		// a signed root of another tree: entry 0 differs
		var other memTree
		other.add([]byte("not entry 0"))
		for _, e := range l.entries[1:] {
			other.add(e)
		}
		root, _ = other.root(n)
	}
	signer := s
	if fault == "checkpoint-key" {
		skey2, _, _ := note.GenerateKey(rand.Reader, origin)
		signer, _ = note.NewSigner(skey2)
	}
	text := fmt.Sprintf("%s\n%d\n%s\n", origin, n, hashB64(root))
	if l.cp, err = note.Sign(&note.Note{Text: text}, signer); err != nil {
		return nil, err
	}
	l.files = map[string][]byte{}
	for _, t := range treeTiles(n) {
		var b []byte
		if t.L == -1 {
			for i := t.N << tileHeight; i < t.N<<tileHeight+int64(t.W); i++ {
				e := l.entries[i]
				b = append(b, byte(len(e)>>8), byte(len(e)))
				b = append(b, e...)
			}
		} else if b, err = tlog.ReadTileData(t, &l.t); err != nil {
			return nil, err
		}
		l.files[tilePath(t)] = b
	}
	flip := func(path string, at int) {
		if b, ok := l.files[path]; ok && at < len(b) {
			b[at] ^= 0x40
		}
	}
	switch fault {
	case "tile-0":
		flip(tilePath(tlog.Tile{H: 8, L: 0, N: 1, W: 256}), 100)
	case "tile-1":
		flip(tilePath(tlog.Tile{H: 8, L: 1, N: 0, W: 256}), 3*32+5)
	case "tile-partial":
		for p := range l.files {
			if strings.HasPrefix(p, "tile/0/") && strings.Contains(p, ".p/") {
				flip(p, 7)
			}
		}
	case "bundle":
		flip(tilePath(tlog.Tile{H: 8, L: -1, N: 2, W: 256}), 40)
	case "bundle-extra":
		p := tilePath(tlog.Tile{H: 8, L: -1, N: 0, W: 256})
		l.files[p] = append(l.files[p], 0, 0)
	case "tile-missing":
		delete(l.files, tilePath(tlog.Tile{H: 8, L: 1, N: 0, W: 256}))
	}
	return l, nil
}

func (l *goLog) checkpoint() []byte {
	return append(append([]byte(nil), l.cp...), l.cosig...)
}

func (l *goLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	num := func(k string) int64 {
		n, err := strconv.ParseInt(q.Get(k), 10, 64)
		if err != nil {
			return -1
		}
		return n
	}
	bin := func(b []byte) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(b)
	}
	js := func(v interface{}) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	b64s := func(p []tlog.Hash) []string {
		out := []string{}
		for _, h := range p {
			out = append(out, hashB64(h))
		}
		return out
	}
	n := l.t.n
	p := strings.TrimPrefix(r.URL.Path, "/api/v1/log/")
	switch {
	case p == "checkpoint":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(l.checkpoint())
	case strings.HasPrefix(p, "entries/"):
		i, err := strconv.ParseInt(strings.TrimPrefix(p, "entries/"), 10, 64)
		if err != nil || i < 0 || i >= n {
			http.NotFound(w, r)
			return
		}
		e := append([]byte(nil), l.entries[i]...)
		if l.fault == "entry" && i == 7 {
			e = append(e, 'x')
		}
		bin(e)
	case p == "proof/inclusion":
		i, s := num("seq"), num("size")
		if s < 1 || s > n || i < 0 || i >= s {
			http.Error(w, "bad range", 400)
			return
		}
		pr, _ := tlog.ProveRecord(s, i, &l.t)
		root, _ := l.t.root(s)
		leaf := l.t.leaves[i]
		switch {
		case l.fault == "incl-proof" && i == 3 && s == 10:
			pr[1][0] ^= 1
		case l.fault == "incl-root" && i == 0 && s == 2:
			root[0] ^= 1
		case l.fault == "incl-leaf" && i == 5 && s == 6:
			leaf[31] ^= 1
		case l.fault == "incl-short" && i == 4 && s == 9:
			pr = pr[:len(pr)-1]
		}
		js(map[string]interface{}{"seq": i, "size": s, "leaf_hash": hashB64(leaf), "root_hash": hashB64(root), "proof": b64s(pr)})
	case p == "proof/consistency":
		m, s := num("old"), num("new")
		if s < 1 || s > n || m < 1 || m > s {
			http.Error(w, "bad range", 400)
			return
		}
		pr, _ := tlog.ProveTree(s, m, &l.t)
		or, _ := l.t.root(m)
		nr, _ := l.t.root(s)
		if l.fault == "cons-proof" && m == 5 && s == 9 {
			pr[0][31] ^= 0x80
		}
		if l.fault == "cons-old" && m == 1 && s == 2 {
			m = 2
		}
		js(map[string]interface{}{"old": m, "new": s, "old_root": hashB64(or), "new_root": hashB64(nr), "proof": b64s(pr)})
	default:
		if b, ok := l.files[p]; ok {
			bin(b)
			return
		}
		http.NotFound(w, r)
	}
}

// writeDir writes the log's tiles and checkpoint as tmonctl
// export-tiles does.
func (l *goLog) writeDir(dir string) error {
	for p, b := range l.files {
		f := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(f, b, 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "checkpoint"), l.checkpoint(), 0o644)
}

type selfTest struct {
	n, failed int
}

func (st *selfTest) expect(name string, err error, want string) {
	st.n++
	switch {
	case want == "" && err == nil:
		fmt.Printf("ok: %s\n", name)
	case want == "":
		fmt.Printf("FAIL: %s: %v\n", name, err)
		st.failed++
	case err == nil:
		fmt.Printf("FAIL: %s: passed, want a failure (%s)\n", name, want)
		st.failed++
	case !isFailure(err) || !strings.Contains(err.Error(), want):
		fmt.Printf("FAIL: %s: %v (failure %v), want a failure naming %q\n", name, err, isFailure(err), want)
		st.failed++
	default:
		fmt.Printf("ok: %s: %v\n", name, err)
	}
}

func cmdSelftest(args []string) error {
	if len(args) != 0 {
		return usagef("selftest takes no arguments")
	}
	st := &selfTest{}
	const origin = "tlogcheck.test/log"
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return err
	}
	serve := func(n int64, fault string) (*goLog, *httptest.Server, error) {
		l, err := newGoLog(n, origin, skey, fault)
		if err != nil {
			return nil, nil, err
		}
		return l, httptest.NewServer(l), nil
	}

	// C2SP tlog-tiles "Merkle Tree": index 1234067 is x001/x234/067.
	var err2 error
	for _, c := range []struct {
		t    tlog.Tile
		want string
	}{
		{tlog.Tile{H: 8, L: 0, N: 1234067, W: 256}, "tile/0/x001/x234/067"},
		{tlog.Tile{H: 8, L: 2, N: 0, W: 1}, "tile/2/000.p/1"},
		{tlog.Tile{H: 8, L: -1, N: 1000, W: 112}, "tile/entries/x001/000.p/112"},
	} {
		if got := tilePath(c.t); got != c.want && err2 == nil {
			err2 = fmt.Errorf("tilePath(%v) = %s, want %s", c.t, got, c.want)
		}
	}
	st.expect("tile paths as C2SP tlog-tiles spells them", err2, "")

	// api: every proof of a 100-entry log; a 1000-entry log with
	// limit 40 (the sampled path); then one fault each.
	api := func(name string, n, limit int64, fault, want string, wit ...string) {
		l, srv, err := serve(n, fault)
		if err != nil {
			st.expect(name, err, want)
			return
		}
		defer srv.Close()
		if fault == "cosigned" {
			l.cosig = wit[1]
			wit = wit[:1]
		}
		_, err = checkAPI(srv.URL, vkey, apiOptions{limit: limit, jobs: 4, seed: 1, origin: origin, witnesses: wit, maxEntries: 1 << 20})
		st.expect(name, err, want)
	}
	api("api: 100 entries, every proof", 100, 300, "", "")
	api("api: 1000 entries, sampled beyond 40", 1000, 40, "", "")
	api("api: one entry's bytes changed", 100, 300, "entry", "root of the entries served")
	api("api: checkpoint signs another tree", 100, 300, "checkpoint-root", "root of the entries served")
	api("api: checkpoint signed by another key", 100, 300, "checkpoint-key", "checkpoint signature")
	api("api: inclusion proof hash flipped", 100, 300, "incl-proof", "tlog.CheckRecord")
	api("api: inclusion proof one hash short", 100, 300, "incl-short", "tlog.CheckRecord")
	api("api: inclusion root_hash wrong", 100, 300, "incl-root", "root_hash")
	api("api: inclusion leaf_hash wrong", 100, 300, "incl-leaf", "leaf_hash")
	api("api: consistency proof hash flipped", 100, 300, "cons-proof", "tlog.CheckTree")
	api("api: consistency answer for other sizes", 100, 300, "cons-old", "answer is for old")
	api("api: empty log", 0, 300, "", "")

	// tiles: 70,000 entries (level 2 tiles), over HTTP and from a
	// directory; then one fault each, over HTTP.
	tiles := func(name string, n int64, fault, want string, dir bool) {
		l, srv, err := serve(n, fault)
		if err != nil {
			st.expect(name, err, want)
			return
		}
		defer srv.Close()
		var src source = newSource(srv.URL+"/api/v1/log", 4)
		if dir {
			d, err := os.MkdirTemp("", "tlogcheck-tiles")
			if err != nil {
				st.expect(name, err, want)
				return
			}
			defer os.RemoveAll(d)
			if err := l.writeDir(d); err != nil {
				st.expect(name, err, want)
				return
			}
			src = newSource(d, 4)
		}
		sum, err := checkTiles(src, vkey, tilesOptions{origin: origin, samples: 64, seed: 1, jobs: 4, maxEntries: 1 << 20})
		if err == nil {
			name += ": " + sum
		}
		st.expect(name, err, want)
	}
	tiles("tiles over HTTP, 70000 entries", 70000, "", "", false)
	tiles("tiles from a directory, 70000 entries", 70000, "", "", true)
	tiles("tiles, 256 entries (one full tile, level 1 partial)", 256, "", "", false)
	tiles("tiles, 1 entry", 1, "", "", true)
	tiles("tiles: a level-0 hash flipped", 1000, "tile-0", "tile", false)
	tiles("tiles: a level-1 hash flipped", 70000, "tile-1", "tile", false)
	tiles("tiles: the partial level-0 tile changed", 1000, "tile-partial", "tile", false)
	tiles("tiles: an entry bundle byte changed", 1000, "bundle", "root of the entry bundles", false)
	tiles("tiles: bytes after a bundle's entries", 1000, "bundle-extra", "entries, want 256", false)
	tiles("tiles: a level-1 tile missing", 70000, "tile-missing", "HTTP 404", false)
	tiles("tiles: checkpoint signs another tree", 1000, "checkpoint-root", "root of the entry bundles", false)
	tiles("tiles: checkpoint signed by another key", 1000, "checkpoint-key", "checkpoint signature", true)

	// witness
	if err := selftestWitness(st, origin, skey, vkey); err != nil {
		return err
	}
	// a checkpoint that must carry the witness's cosignature
	w, _ := newWitness("tlogcheck.test/witness", nil, vkey, origin)
	l, _ := newGoLog(50, origin, skey, "")
	status, _, line, why := w.add(append([]byte("old 0\n\n"), l.checkpoint()...))
	if status != 200 {
		return fmt.Errorf("selftest: witness did not cosign: %d %s", status, why)
	}
	api("api: witness cosignature required and present", 50, 300, "cosigned", "", w.vkey(), line)
	api("api: witness cosignature required, absent", 50, 300, "", "no valid signature by tlogcheck.test/witness", w.vkey())
	other, _ := newWitness("tlogcheck.test/witness", nil, vkey, origin)
	api("api: cosignature by another key of that name", 50, 300, "cosigned", "no valid signature by tlogcheck.test/witness", other.vkey(), line)

	if st.failed > 0 {
		return failf("selftest: %d of %d checks failed", st.failed, st.n)
	}
	fmt.Printf("tlogcheck selftest: all %d checks passed\n", st.n)
	return nil
}

// selftestWitness runs the C2SP tlog-witness add-checkpoint cases over
// HTTP against the witness handler.
func selftestWitness(st *selfTest, origin, skey, vkey string) error {
	signer, _ := note.NewSigner(skey)
	var t memTree
	for i := int64(0); i < 20; i++ {
		t.add(testEntry(i))
	}
	sign := func(s *note.Signer, orig string, n int64, root tlog.Hash) []byte {
		b, err := note.Sign(&note.Note{Text: fmt.Sprintf("%s\n%d\n%s\n", orig, n, hashB64(root))}, *s)
		if err != nil {
			panic(err)
		}
		return b
	}
	root := func(n int64) tlog.Hash { r, _ := t.root(n); return r }
	cp := func(n int64) []byte { return sign(&signer, origin, n, root(n)) }
	req := func(old int64, proof []tlog.Hash, cp []byte) []byte {
		var b bytes.Buffer
		fmt.Fprintf(&b, "old %d\n", old)
		for _, h := range proof {
			b.WriteString(hashB64(h) + "\n")
		}
		b.WriteString("\n")
		b.Write(cp)
		return b.Bytes()
	}
	prove := func(old, n int64) []tlog.Hash { p, _ := tlog.ProveTree(n, old, &t); return p }

	w, err := newWitness("tlogcheck.test/witness", nil, vkey, origin)
	if err != nil {
		return err
	}
	fixed := time.Unix(1700000000, 0)
	w.now = func() time.Time { return fixed }
	srv := httptest.NewServer(w)
	defer srv.Close()
	post := func(body []byte) (int, string, string) {
		resp, err := http.Post(srv.URL+"/add-checkpoint", "text/plain", bytes.NewReader(body))
		if err != nil {
			return 0, "", err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	check := func(name string, body []byte, status int, wantBody string) string {
		got, ctype, b := post(body)
		var err error
		switch {
		case got != status:
			err = fmt.Errorf("HTTP %d %q, want %d", got, b, status)
		case status == 409 && (ctype != "text/x.tlog.size" || b != wantBody):
			err = fmt.Errorf("409 with %q %q, want text/x.tlog.size %q", ctype, b, wantBody)
		}
		st.expect("witness: "+name, err, "")
		return b
	}
	skey2, _, _ := note.GenerateKey(rand.Reader, origin)
	other, _ := note.NewSigner(skey2)
	check("unknown origin: 404", req(0, nil, sign(&signer, "other.example/log", 5, root(5))), 404, "")
	check("signed by another key: 403", req(0, nil, sign(&other, origin, 5, root(5))), 403, "")
	check("old size above the checkpoint's: 400", req(7, nil, cp(5)), 400, "")
	check("malformed old line: 400", append([]byte("old 05\n\n"), cp(5)...), 400, "")
	check("64 proof lines: 400", req(0, make([]tlog.Hash, 64), cp(5)), 400, "")
	check("a proof from size 0: 422", req(0, prove(3, 5), cp(5)), 422, "")
	line := check("first checkpoint (old 0): 200", req(0, nil, cp(5)), 200, "")
	// the cosignature verifies as cosignature/v1 with the witness key
	cosigned := append(cp(5), line...)
	_, err = openCheckpoint(cosigned, vkey, []string{w.vkey()}, origin)
	st.expect("witness: cosignature/v1 verifies", err, "")
	sig, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(line[strings.LastIndexByte(line, ' ')+1:]))
	if len(sig) != 4+8+64 || int64(binary.BigEndian.Uint64(sig[4:12])) != fixed.Unix() {
		st.expect("witness: cosignature carries key id and timestamp", fmt.Errorf("signature %x", sig), "")
	} else {
		st.expect("witness: cosignature carries key id and timestamp", nil, "")
	}
	check("stale old size: 409", req(0, nil, cp(12)), 409, "5\n")
	bad := prove(5, 12)
	bad[0][0] ^= 1
	check("bad consistency proof: 422", req(5, bad, cp(12)), 422, "")
	check("consistent update 5 -> 12: 200", req(5, prove(5, 12), cp(12)), 200, "")
	check("same size, same root: 200", req(12, nil, cp(12)), 200, "")
	var fork tlog.Hash
	fork[0] = 1
	check("same size, another root (split view): 422", req(12, nil, sign(&signer, origin, 12, fork)), 422, "")
	check("update 12 -> 20: 200", req(12, prove(12, 20), cp(20)), 200, "")

	// monitoring: GET /<sha256 hex of origin>/checkpoint
	sum := sha256.Sum256([]byte(origin))
	resp, err := http.Get(srv.URL + "/" + hex.EncodeToString(sum[:]) + "/checkpoint")
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var c *checkpoint
		if c, err = openCheckpoint(b, vkey, []string{w.vkey()}, origin); err == nil && c.size != 20 {
			err = fmt.Errorf("size %d, want 20", c.size)
		}
	}
	st.expect("witness: GET <origin hash>/checkpoint has the log's and the witness's signatures", err, "")

	// A witness that has seen another tree of size 12 (split view).
	w2, _ := newWitness("tlogcheck.test/witness2", nil, vkey, origin)
	w2.size, w2.root = 12, fork
	srv.Config.Handler = w2
	check("split view: stale old size: 409", req(5, prove(5, 20), cp(20)), 409, "12\n")
	check("split view: 12 -> 20 from another tree: 422", req(12, prove(12, 20), cp(20)), 422, "")
	resp, err = http.Get(srv.URL + "/" + hex.EncodeToString(sum[:]) + "/checkpoint")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != 404 {
			err = fmt.Errorf("HTTP %d, want 404", resp.StatusCode)
		}
	}
	st.expect("witness: GET checkpoint before any cosignature: 404", err, "")

	// size 0: the empty tree's root, nothing else
	w3, _ := newWitness("tlogcheck.test/witness3", nil, vkey, origin)
	srv.Config.Handler = w3
	check("size 0 with another root: 422", req(0, nil, sign(&signer, origin, 0, fork)), 422, "")
	check("size 0 with the empty root: 200", req(0, nil, sign(&signer, origin, 0, emptyRoot)), 200, "")
	return nil
}
