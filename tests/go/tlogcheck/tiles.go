package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// C2SP tlog-tiles: tiles of height 8, 256 hashes wide.
const tileHeight = 8

// tilePath is the C2SP tlog-tiles path of t ("Merkle Tree", "Log
// entries"): tile/<L>/<N>[.p/<W>], or tile/entries/<N>[.p/<W>] for
// L == -1, N in 3-digit groups all but the last prefixed with "x".
// (tlog.Tile.Path is the older Go sumdb layout: with the height, and
// "data" for entries.)
func tilePath(t tlog.Tile) string {
	var groups []string
	n := t.N
	for {
		groups = append([]string{fmt.Sprintf("%03d", n%1000)}, groups...)
		n /= 1000
		if n == 0 {
			break
		}
	}
	for i := 0; i < len(groups)-1; i++ {
		groups[i] = "x" + groups[i]
	}
	level := fmt.Sprint(t.L)
	if t.L == -1 {
		level = "entries"
	}
	p := "tile/" + level + "/" + strings.Join(groups, "/")
	if t.W < 1<<tileHeight {
		p += fmt.Sprintf(".p/%d", t.W)
	}
	return p
}

// tileReader is a tlog.TileReader over a source.  Tiles are kept in
// memory once read; tlog.TileHashReader authenticates them against the
// checkpoint's root on every read.
type tileReader struct {
	src   source
	mu    sync.Mutex
	cache map[tlog.Tile][]byte
	reads int
}

func (r *tileReader) Height() int { return tileHeight }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		r.mu.Lock()
		b, ok := r.cache[t]
		r.mu.Unlock()
		if !ok {
			var err error
			b, err = r.src.get(tilePath(t), maxTile, "application/octet-stream")
			if err != nil {
				return nil, err
			}
			if len(b) != t.W*tlog.HashSize {
				return nil, failf("%s: %d bytes, want %d", tilePath(t), len(b), t.W*tlog.HashSize)
			}
			r.mu.Lock()
			r.cache[t] = b
			r.reads++
			r.mu.Unlock()
		}
		out[i] = b
	}
	return out, nil
}

func (r *tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// parseBundle splits an entry bundle: w entries, each a big-endian
// uint16 length then that many bytes, nothing after (C2SP tlog-tiles
// "Log entries").
func parseBundle(path string, b []byte, w int) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, failf("%s: truncated length prefix after %d entries", path, len(out))
		}
		n := int(b[0])<<8 | int(b[1])
		if len(b) < 2+n {
			return nil, failf("%s: entry %d: %d bytes announced, %d left", path, len(out), n, len(b)-2)
		}
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	if len(out) != w {
		return nil, failf("%s: %d entries, want %d", path, len(out), w)
	}
	return out, nil
}

// treeTiles lists every tile of a tree of n leaves (C2SP tlog-tiles
// "Partial Tiles"): level by level, the full tiles and the partial
// rightmost one of width floor(n / 256^L) mod 256 when not zero; level
// -1 the entry bundles, laid out as level 0.
func treeTiles(n int64) []tlog.Tile {
	var out []tlog.Tile
	for l := -1; ; l++ {
		ll := l
		if ll < 0 {
			ll = 0
		}
		hashes := n >> uint(tileHeight*ll)
		if hashes == 0 {
			break
		}
		for k := int64(0); k < hashes>>tileHeight; k++ {
			out = append(out, tlog.Tile{H: tileHeight, L: l, N: k, W: 1 << tileHeight})
		}
		if w := hashes % (1 << tileHeight); w != 0 {
			out = append(out, tlog.Tile{H: tileHeight, L: l, N: hashes >> tileHeight, W: int(w)})
		}
	}
	return out
}

type tilesOptions struct {
	origin     string
	witnesses  []string
	samples    int
	seed       int64
	jobs       int
	maxEntries int64
}

// checkTiles checks the tlog-tiles log at src.  Returns a summary line.
func checkTiles(src source, vkey string, o tilesOptions) (string, error) {
	msg, err := src.get("checkpoint", maxCheckpoint, "text/plain")
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
	if n == 0 {
		if c.root != emptyRoot {
			return "", failf("checkpoint of size 0: root %s is not the empty tree's", hashB64(c.root))
		}
		return "tlogcheck tiles: empty log, checkpoint verified", nil
	}
	tiles := treeTiles(n)

	// 1. Every entry bundle; the checker's own tree from its entries.
	var bundles []tlog.Tile
	for _, t := range tiles {
		if t.L == -1 {
			bundles = append(bundles, t)
		}
	}
	leaves := make([][]tlog.Hash, len(bundles))
	err = runJobs(o.jobs, len(bundles), func(k int) error {
		t := bundles[k]
		b, err := src.get(tilePath(t), maxBundle, "application/octet-stream")
		if err != nil {
			return err
		}
		es, err := parseBundle(tilePath(t), b, t.W)
		for _, e := range es {
			leaves[k] = append(leaves[k], tlog.RecordHash(e))
		}
		return err
	})
	if err != nil {
		return "", err
	}
	var own memTree
	for _, hs := range leaves {
		for _, h := range hs {
			if err := own.addLeaf(h); err != nil {
				return "", err
			}
		}
	}
	ownRoot, err := own.root(n)
	if err != nil {
		return "", err
	}
	if ownRoot != c.root {
		return "", failf("checkpoint of size %d: root %s, the root of the entry bundles is %s", n, hashB64(c.root), hashB64(ownRoot))
	}

	tr := &tileReader{src: src, cache: map[tlog.Tile][]byte{}}
	// 2. Every hash tile of the tree, byte for byte, against the
	// checker's own tree (tlog.ReadTileData).  This, not
	// tlog.TileHashReader, is what proves the tiles right: that reader
	// starts checking tiles against their parents at index len(stx)
	// (the root's nodes) of its tile list, not at the number of
	// distinct tiles holding them, so when several root nodes share a
	// tile the next tiles go unchecked (a tampered tile/0/001 of a
	// tree of 1000 passes it, x/mod 0.7.0 as upstream).
	ntiles := 0
	for _, t := range tiles {
		if t.L < 0 {
			continue
		}
		got, err := tr.ReadTiles([]tlog.Tile{t})
		if err != nil {
			return "", err
		}
		want, err := tlog.ReadTileData(t, &own)
		if err != nil {
			return "", err
		}
		if !bytes.Equal(got[0], want) {
			return "", failf("%s differs from the tile of the entries' tree", tilePath(t))
		}
		ntiles++
	}

	// 3. The client's view: hashes from tiles alone, authenticated by
	// tlog.TileHashReader against the checkpoint.
	hr := tlog.TileHashReader(tlog.Tree{N: n, Hash: c.root}, tr)
	th, err := tlog.TreeHash(n, hr)
	if err != nil {
		return "", failf("tree hash from the tiles: %v", err)
	}
	if th != c.root {
		return "", failf("tree hash from the tiles %s, checkpoint %s", hashB64(th), hashB64(c.root))
	}
	// Every entry's hash against its level-0 tile hash.
	for k, t := range bundles {
		idx := make([]int64, t.W)
		for i := range idx {
			idx[i] = tlog.StoredHashIndex(0, t.N<<tileHeight+int64(i))
		}
		hs, err := hr.ReadHashes(idx)
		if err != nil {
			return "", failf("level-0 tile hashes of %s: %v", tilePath(t), err)
		}
		for i, h := range hs {
			if h != leaves[k][i] {
				return "", failf("entry %d: hash %s, level-0 tile has %s", t.N<<tileHeight+int64(i), leaves[k][i], h)
			}
		}
	}

	// 4. Proofs computed from the tiles (as any tlog-tiles client
	// does): records and trees at a sample of indexes and sizes.
	rnd := rand.New(rand.NewSource(o.seed))
	sizes := sampleSizes(n, o.samples, rnd)
	for _, s := range sizes {
		i := s - 1
		p, err := tlog.ProveRecord(n, i, hr)
		if err != nil {
			return "", failf("inclusion proof of %d from the tiles: %v", i, err)
		}
		if err := tlog.CheckRecord(p, n, c.root, i, own.leaves[i]); err != nil {
			return "", failf("inclusion proof of %d from the tiles: %v", i, err)
		}
		old, err := own.root(s)
		if err != nil {
			return "", err
		}
		tp, err := tlog.ProveTree(n, s, hr)
		if err != nil {
			return "", failf("consistency proof %d -> %d from the tiles: %v", s, n, err)
		}
		if err := tlog.CheckTree(tp, n, c.root, s, old); err != nil {
			return "", failf("consistency proof %d -> %d from the tiles: %v", s, n, err)
		}
	}
	levels := 0
	for _, t := range tiles {
		if t.L+1 > levels {
			levels = t.L + 1
		}
	}
	return fmt.Sprintf("tlogcheck tiles: checkpoint %q size %d verified (%d cosignatures required); %d entry bundles hash to its root; %d hash tiles on %d levels match the entries' tree and give its root through tlog.TileHashReader; %d record and %d tree proofs from the tiles check",
		c.origin, n, len(o.witnesses), len(bundles), ntiles, levels, len(sizes), len(sizes)), nil
}

// cmdPaths compares the tile paths of "tlog_vectors paths" (lines "path
// L N W PATH", then "end COUNT") with tilePath's.
func cmdPaths(args []string) error {
	if len(args) != 0 {
		return usagef("paths takes no arguments")
	}
	sc := bufio.NewScanner(os.Stdin)
	count := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "end" {
			if f[1] != fmt.Sprint(count) || count == 0 {
				return failf("end %s after %d paths", f[1], count)
			}
			fmt.Printf("tlogcheck paths: %d C2SP tile paths agree\n", count)
			return nil
		}
		if len(f) != 5 || f[0] != "path" {
			return fmt.Errorf("line %d: malformed", count+1)
		}
		l, err1 := strconv.Atoi(f[1])
		n, err2 := strconv.ParseInt(f[2], 10, 64)
		w, err3 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil || err3 != nil || l < -1 || n < 0 || w < 1 || w > 256 {
			return fmt.Errorf("line %d: malformed", count+1)
		}
		if want := tilePath(tlog.Tile{H: tileHeight, L: l, N: n, W: w}); want != f[4] {
			return failf("tile level %d index %d width %d: tmon %s, want %s", l, n, w, f[4], want)
		}
		count++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return failf("input ends after %d paths without its end line", count)
}

func cmdTiles(args []string) error {
	fs := flag.NewFlagSet("tiles", flag.ContinueOnError)
	var o tilesOptions
	var w stringList
	fs.StringVar(&o.origin, "origin", "", "the checkpoint's origin line must be `ORIGIN`")
	fs.Var(&w, "witness", "a cosignature by witness `VKEY` is required (repeatable)")
	fs.IntVar(&o.samples, "samples", 256, "random sizes to prove from the tiles (besides powers of two)")
	fs.Int64Var(&o.seed, "seed", 1, "seed of the sampled sizes")
	fs.IntVar(&o.jobs, "j", 4, "concurrent requests")
	fs.Int64Var(&o.maxEntries, "max-entries", 1<<24, "refuse (exit 3) a log of more than `N` entries")
	if err := fs.Parse(args); err != nil || fs.NArg() != 2 || o.samples < 0 || o.jobs < 1 {
		return usagef("tiles [flags] URL-or-DIR VKEY")
	}
	o.witnesses = w
	sum, err := checkTiles(newSource(fs.Arg(0), o.jobs), fs.Arg(1), o)
	if err != nil {
		return err
	}
	fmt.Println(sum)
	return nil
}
