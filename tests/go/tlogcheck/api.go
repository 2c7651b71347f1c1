package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"net/http"
	"sort"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// Bounds on what the log may send.
const (
	maxCheckpoint = 1 << 16              // a signed checkpoint with its cosignatures
	maxEntry      = 65535                // an entry body (tlog-tiles uint16 length)
	maxProofJSON  = 1 << 16              // a proof response
	maxTile       = 256 * tlog.HashSize  // a hash tile
	maxBundle     = 256 * (2 + maxEntry) // an entry bundle
)

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// runJobs runs fn(0..n-1) on j goroutines and returns the error of the
// lowest k that failed (none is started after the first failure).
func runJobs(j, n int, fn func(k int) error) error {
	var (
		mu    sync.Mutex
		first = -1
		ferr  error
		wg    sync.WaitGroup
	)
	next := make(chan int)
	for w := 0; w < j; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				if err := fn(k); err != nil {
					mu.Lock()
					if first < 0 || k < first {
						first, ferr = k, err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for k := 0; k < n; k++ {
		mu.Lock()
		stop := first >= 0
		mu.Unlock()
		if stop {
			break
		}
		next <- k
	}
	close(next)
	wg.Wait()
	return ferr
}

// apiChecker checks tmond's /api/v1/log endpoints against its own tree.
type apiChecker struct {
	base   string // URL of the API root, no trailing slash
	client *http.Client
	t      memTree
	roots  []tlog.Hash // roots[s] for every size checked
}

func (a *apiChecker) get(path string, max int64, ctype string) ([]byte, error) {
	return httpGet(a.client, a.base+path, max, ctype)
}

// inclusionResp is GET /api/v1/log/proof/inclusion (RFC 9162 section
// 2.1.3 proof of entry seq in the tree of size entries).
type inclusionResp struct {
	Seq      *int64   `json:"seq"`
	Size     *int64   `json:"size"`
	LeafHash string   `json:"leaf_hash"`
	RootHash string   `json:"root_hash"`
	Proof    []string `json:"proof"`
}

// consistencyResp is GET /api/v1/log/proof/consistency (RFC 9162
// section 2.1.4 proof that the tree of size old is a prefix of new).
type consistencyResp struct {
	Old     *int64   `json:"old"`
	New     *int64   `json:"new"`
	OldRoot string   `json:"old_root"`
	NewRoot string   `json:"new_root"`
	Proof   []string `json:"proof"`
}

func optInt(p *int64) string {
	if p == nil {
		return "(none)"
	}
	return fmt.Sprint(*p)
}

func decodeProof(what string, list []string) ([]tlog.Hash, error) {
	if len(list) > 63 {
		return nil, failf("%s: %d proof hashes", what, len(list))
	}
	p := make([]tlog.Hash, len(list))
	for i, s := range list {
		h, err := parseHash(s)
		if err != nil {
			return nil, failf("%s: proof[%d] %q: %v", what, i, s, err)
		}
		p[i] = h
	}
	return p, nil
}

func (a *apiChecker) checkInclusion(i, s int64) error {
	what := fmt.Sprintf("inclusion proof of entry %d in size %d", i, s)
	body, err := a.get(fmt.Sprintf("/api/v1/log/proof/inclusion?seq=%d&size=%d", i, s), maxProofJSON, "application/json")
	if err != nil {
		return err
	}
	var r inclusionResp
	if err := json.Unmarshal(body, &r); err != nil {
		return failf("%s: %v: %.200q", what, err, body)
	}
	if r.Seq == nil || *r.Seq != i || r.Size == nil || *r.Size != s {
		return failf("%s: answer is for seq %s size %s", what, optInt(r.Seq), optInt(r.Size))
	}
	leaf, err := parseHash(r.LeafHash)
	if err != nil || leaf != a.t.leaves[i] {
		return failf("%s: leaf_hash %q, the entry's is %s", what, r.LeafHash, hashB64(a.t.leaves[i]))
	}
	root, err := parseHash(r.RootHash)
	if err != nil || root != a.roots[s] {
		return failf("%s: root_hash %q, the tree's is %s", what, r.RootHash, hashB64(a.roots[s]))
	}
	p, err := decodeProof(what, r.Proof)
	if err != nil {
		return err
	}
	if err := tlog.CheckRecord(tlog.RecordProof(p), s, a.roots[s], i, a.t.leaves[i]); err != nil {
		return failf("%s: tlog.CheckRecord: %v", what, err)
	}
	gp, err := tlog.ProveRecord(s, i, &a.t)
	if err != nil {
		return err
	}
	if !sameProof(p, gp) {
		return failf("%s: %s, Go's tlog.ProveRecord %s", what, fmtProof(p), fmtProof(gp))
	}
	return nil
}

func (a *apiChecker) checkConsistency(m, s int64) error {
	what := fmt.Sprintf("consistency proof %d -> %d", m, s)
	body, err := a.get(fmt.Sprintf("/api/v1/log/proof/consistency?old=%d&new=%d", m, s), maxProofJSON, "application/json")
	if err != nil {
		return err
	}
	var r consistencyResp
	if err := json.Unmarshal(body, &r); err != nil {
		return failf("%s: %v: %.200q", what, err, body)
	}
	if r.Old == nil || *r.Old != m || r.New == nil || *r.New != s {
		return failf("%s: answer is for old %s new %s", what, optInt(r.Old), optInt(r.New))
	}
	if h, err := parseHash(r.OldRoot); err != nil || h != a.roots[m] {
		return failf("%s: old_root %q, the tree's is %s", what, r.OldRoot, hashB64(a.roots[m]))
	}
	if h, err := parseHash(r.NewRoot); err != nil || h != a.roots[s] {
		return failf("%s: new_root %q, the tree's is %s", what, r.NewRoot, hashB64(a.roots[s]))
	}
	p, err := decodeProof(what, r.Proof)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(tlog.TreeProof(p), s, a.roots[s], m, a.roots[m]); err != nil {
		return failf("%s: tlog.CheckTree: %v", what, err)
	}
	gp, err := tlog.ProveTree(s, m, &a.t)
	if err != nil {
		return err
	}
	if !sameProof(p, gp) {
		return failf("%s: %s, Go's tlog.ProveTree %s", what, fmtProof(p), fmtProof(gp))
	}
	return nil
}

// sampleSizes is a bounded set of sizes in 1..n: the edges of subtrees
// (powers of two and their neighbours), n and n - 1, and count more
// drawn with rnd; sorted, without duplicates.
func sampleSizes(n int64, count int, rnd *rand.Rand) []int64 {
	set := map[int64]bool{1: true, n: true, n - 1: true}
	for p := int64(2); p <= n; p *= 2 {
		set[p-1], set[p], set[p+1] = true, true, true
	}
	for k := 0; k < count; k++ {
		set[1+rnd.Int63n(n)] = true
	}
	var out []int64
	for s := range set {
		if s >= 1 && s <= n {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// apiOptions are the flags of the api mode.
type apiOptions struct {
	limit      int64
	jobs       int
	origin     string
	witnesses  []string
	seed       int64
	maxEntries int64
}

// checkAPI checks a tmond (or any server of the same API) at base.
// Returns a summary line.
func checkAPI(base, vkey string, o apiOptions) (string, error) {
	a := &apiChecker{base: strings.TrimRight(base, "/"), client: newHTTPClient(o.jobs)}
	msg, err := a.get("/api/v1/log/checkpoint", maxCheckpoint, "text/plain")
	if err != nil {
		return "", err
	}
	c, err := openCheckpoint(msg, vkey, o.witnesses, o.origin)
	if err != nil {
		return "", err
	}
	n := c.size
	if n > o.maxEntries {
		return "", fmt.Errorf("checkpoint of size %d: more than -max-entries %d", n, o.maxEntries)
	}
	// Every entry, by its exact bytes.
	leaves := make([]tlog.Hash, n)
	err = runJobs(o.jobs, int(n), func(k int) error {
		b, err := a.get(fmt.Sprintf("/api/v1/log/entries/%d", k), maxEntry, "application/octet-stream")
		leaves[k] = tlog.RecordHash(b)
		return err
	})
	if err != nil {
		return "", err
	}
	a.roots = []tlog.Hash{emptyRoot}
	for _, h := range leaves {
		if err := a.t.addLeaf(h); err != nil {
			return "", err
		}
		r, err := a.t.root(a.t.n)
		if err != nil {
			return "", err
		}
		a.roots = append(a.roots, r)
	}
	if a.roots[n] != c.root {
		return "", failf("checkpoint of size %d: root %s, the root of the entries served is %s", n, hashB64(c.root), hashB64(a.roots[n]))
	}
	if n == 0 {
		return "tlogcheck api: empty log, checkpoint verified", nil
	}
	rnd := rand.New(rand.NewSource(o.seed))
	m := n
	if m > o.limit {
		m = o.limit
	}
	// Inclusion: every index of every size 1..m; beyond the limit, a
	// sample of indexes in the checkpoint's tree.
	type pair struct{ a, b int64 }
	var incl, cons []pair
	for s := int64(1); s <= m; s++ {
		for i := int64(0); i < s; i++ {
			incl = append(incl, pair{i, s})
		}
	}
	if n > m {
		for _, s := range sampleSizes(n, 256, rnd) {
			incl = append(incl, pair{s - 1, n})
		}
	}
	// Consistency: every pair old < new up to m when m <= 300, else
	// pairs of a sample; and from a sample of sizes to the checkpoint.
	if m <= 300 {
		for s := int64(2); s <= m; s++ {
			for old := int64(1); old < s; old++ {
				cons = append(cons, pair{old, s})
			}
		}
	} else {
		ss := sampleSizes(m, 64, rnd)
		for x, s := range ss {
			for _, old := range ss[:x] {
				cons = append(cons, pair{old, s})
			}
		}
	}
	if n > m {
		for _, old := range sampleSizes(n-1, 256, rnd) {
			cons = append(cons, pair{old, n})
		}
	}
	if err := runJobs(o.jobs, len(incl), func(k int) error { return a.checkInclusion(incl[k].a, incl[k].b) }); err != nil {
		return "", err
	}
	if err := runJobs(o.jobs, len(cons), func(k int) error { return a.checkConsistency(cons[k].a, cons[k].b) }); err != nil {
		return "", err
	}
	return fmt.Sprintf("tlogcheck api: checkpoint %q size %d verified (%d cosignatures required); %d entries hash to its root; %d inclusion proofs (every index of sizes 1..%d) and %d consistency proofs agree with golang.org/x/mod/sumdb/tlog",
		c.origin, n, len(o.witnesses), n, len(incl), m, len(cons)), nil
}

func cmdAPI(args []string) error {
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	var o apiOptions
	var w stringList
	fs.Int64Var(&o.limit, "limit", 300, "check every proof of sizes 1..`N` (a sample beyond)")
	fs.IntVar(&o.jobs, "j", 4, "concurrent requests")
	fs.StringVar(&o.origin, "origin", "", "the checkpoint's origin line must be `ORIGIN`")
	fs.Var(&w, "witness", "a cosignature by witness `VKEY` is required (repeatable)")
	fs.Int64Var(&o.seed, "seed", 1, "seed of the sampled sizes")
	fs.Int64Var(&o.maxEntries, "max-entries", 1<<24, "refuse (exit 3) a log of more than `N` entries")
	if err := fs.Parse(args); err != nil || fs.NArg() != 2 || o.limit < 1 || o.jobs < 1 {
		return usagef("api [flags] URL VKEY")
	}
	o.witnesses = w
	sum, err := checkAPI(fs.Arg(0), fs.Arg(1), o)
	if err != nil {
		return err
	}
	fmt.Println(sum)
	return nil
}
