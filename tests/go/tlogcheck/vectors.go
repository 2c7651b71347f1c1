package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// vectorState checks the lines of "tlog_vectors proofs MAX" against the
// checker's own tree, grown from the entries as their leaf lines arrive.
type vectorState struct {
	t                   memTree
	roots               []tlog.Hash // roots[s] = MTH of s records, by Go
	nRoot, nIncl, nCons int64
	lastIncl, lastCons  [2]int64
}

func parseHexHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		return h, fmt.Errorf("bad hash %q", s)
	}
	copy(h[:], b)
	return h, nil
}

func parseInt(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad number %q", s)
	}
	return n, nil
}

// parseProof parses "N HASH..." (f[0] = N).
func parseProof(f []string) ([]tlog.Hash, error) {
	if len(f) == 0 {
		return nil, fmt.Errorf("no proof length")
	}
	n, err := parseInt(f[0])
	if err != nil || n != int64(len(f)-1) {
		return nil, fmt.Errorf("proof length %q for %d hashes", f[0], len(f)-1)
	}
	p := make([]tlog.Hash, n)
	for i := range p {
		if p[i], err = parseHexHash(f[1+i]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func sameProof(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func fmtProof(p []tlog.Hash) string {
	s := make([]string, len(p))
	for i, h := range p {
		s[i] = hex.EncodeToString(h[:])
	}
	return "[" + strings.Join(s, " ") + "]"
}

func (v *vectorState) line(f []string) error {
	switch f[0] {
	case "leaf": // leaf I DATA|- LEAFHASH
		if len(f) != 4 {
			return fmt.Errorf("malformed")
		}
		i, err := parseInt(f[1])
		if err != nil {
			return err
		}
		if i != v.t.n {
			return failf("leaf %d arrives after %d leaves", i, v.t.n)
		}
		var data []byte
		if f[2] != "-" {
			if data, err = hex.DecodeString(f[2]); err != nil || len(data) == 0 {
				return fmt.Errorf("bad entry data")
			}
		}
		want, err := parseHexHash(f[3])
		if err != nil {
			return err
		}
		got, err := v.t.add(data)
		if err != nil {
			return err
		}
		if got != want {
			return failf("leaf %d: tmon's leaf hash %x, Go's tlog.RecordHash %x", i, want[:], got[:])
		}
		r, err := v.t.root(v.t.n)
		if err != nil {
			return err
		}
		v.roots = append(v.roots, r)
	case "root": // root SIZE HASH
		if len(f) != 3 {
			return fmt.Errorf("malformed")
		}
		s, err := parseInt(f[1])
		if err != nil {
			return err
		}
		want, err := parseHexHash(f[2])
		if err != nil {
			return err
		}
		if s < 1 || s > v.t.n {
			return failf("root of size %d with %d leaves", s, v.t.n)
		}
		if v.roots[s] != want {
			return failf("root of size %d: tmon %x, Go's tlog.TreeHash %x", s, want[:], v.roots[s][:])
		}
		v.nRoot++
	case "incl": // incl INDEX SIZE N HASH...
		if len(f) < 4 {
			return fmt.Errorf("malformed")
		}
		i, err1 := parseInt(f[1])
		s, err2 := parseInt(f[2])
		p, err3 := parseProof(f[3:])
		if err1 != nil || err2 != nil || err3 != nil {
			return fmt.Errorf("malformed: %v %v %v", err1, err2, err3)
		}
		if s < 1 || s > v.t.n || i >= s {
			return failf("inclusion proof of %d in size %d with %d leaves", i, s, v.t.n)
		}
		// RFC 9162 section 2.1.3.2, by Go.
		if err := tlog.CheckRecord(tlog.RecordProof(p), s, v.roots[s], i, v.t.leaves[i]); err != nil {
			return failf("inclusion proof of %d in size %d: tlog.CheckRecord: %v", i, s, err)
		}
		gp, err := tlog.ProveRecord(s, i, &v.t)
		if err != nil {
			return err
		}
		if !sameProof(p, gp) {
			return failf("inclusion proof of %d in size %d: tmon %s, Go's tlog.ProveRecord %s", i, s, fmtProof(p), fmtProof(gp))
		}
		if [2]int64{s, i} != v.nextIncl() {
			return failf("inclusion proof of %d in size %d out of order", i, s)
		}
		v.lastIncl = [2]int64{s, i}
		v.nIncl++
	case "cons": // cons OLD NEW N HASH...
		if len(f) < 4 {
			return fmt.Errorf("malformed")
		}
		m, err1 := parseInt(f[1])
		s, err2 := parseInt(f[2])
		p, err3 := parseProof(f[3:])
		if err1 != nil || err2 != nil || err3 != nil {
			return fmt.Errorf("malformed: %v %v %v", err1, err2, err3)
		}
		if s < 1 || s > v.t.n || m < 1 || m > s {
			return failf("consistency proof %d -> %d with %d leaves", m, s, v.t.n)
		}
		// RFC 9162 section 2.1.4.2, by Go.
		if err := tlog.CheckTree(tlog.TreeProof(p), s, v.roots[s], m, v.roots[m]); err != nil {
			return failf("consistency proof %d -> %d: tlog.CheckTree: %v", m, s, err)
		}
		gp, err := tlog.ProveTree(s, m, &v.t)
		if err != nil {
			return err
		}
		if !sameProof(p, gp) {
			return failf("consistency proof %d -> %d: tmon %s, Go's tlog.ProveTree %s", m, s, fmtProof(p), fmtProof(gp))
		}
		if [2]int64{s, m} != v.nextCons() {
			return failf("consistency proof %d -> %d out of order", m, s)
		}
		v.lastCons = [2]int64{s, m}
		v.nCons++
	default:
		return fmt.Errorf("unknown line")
	}
	return nil
}

// nextIncl and nextCons: the pattern of "tlog_vectors proofs" is every
// index 0..s-1 for every size s, and every old size 1..s, in order.
func (v *vectorState) nextIncl() [2]int64 {
	s, i := v.lastIncl[0], v.lastIncl[1]
	if s == 0 || i+1 == s {
		return [2]int64{s + 1, 0}
	}
	return [2]int64{s, i + 1}
}

func (v *vectorState) nextCons() [2]int64 {
	s, m := v.lastCons[0], v.lastCons[1]
	if s == 0 || m == s {
		return [2]int64{s + 1, 1}
	}
	return [2]int64{s, m + 1}
}

func cmdVectors(args []string) error {
	fs := flag.NewFlagSet("vectors", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return usagef("vectors takes no arguments")
	}
	v := &vectorState{roots: []tlog.Hash{emptyRoot}}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	lineno := 0
	for sc.Scan() {
		lineno++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			return fmt.Errorf("line %d: empty", lineno)
		}
		if f[0] == "end" {
			if len(f) != 2 {
				return fmt.Errorf("line %d: malformed end", lineno)
			}
			max, err := parseInt(f[1])
			if err != nil {
				return err
			}
			// every size 1..max, every index, every old size
			all := max * (max + 1) / 2
			if max < 1 || v.t.n != max || v.nRoot != max || v.nIncl != all || v.nCons != all {
				return failf("end %d after %d leaves, %d roots, %d inclusion and %d consistency proofs, want %d, %d, %d, %d",
					max, v.t.n, v.nRoot, v.nIncl, v.nCons, max, max, all, all)
			}
			if sc.Scan() {
				return fmt.Errorf("line %d: text after the end line", lineno+1)
			}
			fmt.Printf("tlogcheck vectors: sizes 1..%d: %d leaf hashes, %d roots, %d inclusion proofs, %d consistency proofs agree with golang.org/x/mod/sumdb/tlog (checked and byte for byte)\n",
				max, v.t.n, v.nRoot, v.nIncl, v.nCons)
			return nil
		}
		if err := v.line(f); err != nil {
			if isFailure(err) {
				return err
			}
			return fmt.Errorf("line %d (%s): %v", lineno, f[0], err)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return failf("input ends after %d lines without its end line (tlog_vectors stopped early?)", lineno)
}

// cmdMutants prints, for tlog_vectors verify, inclusion and consistency
// proofs of Go's trees of sizes 1..MAX (the entries of memTree's
// testEntry) and altered copies of each: every hash with one bit
// flipped, a hash dropped or added, the neighbouring index, sizes and
// roots, a leaf or root with one bit flipped.  WANT is what Go's tlog.CheckRecord / tlog.CheckTree decide.
func cmdMutants(args []string) error {
	if len(args) != 1 {
		return usagef("mutants MAX")
	}
	max, err := parseInt(args[0])
	if err != nil || max < 1 || max > 1024 {
		return usagef("mutants MAX: MAX in 1..1024")
	}
	w := bufio.NewWriter(os.Stdout)
	t := &memTree{}
	roots := []tlog.Hash{emptyRoot}
	for i := int64(0); i < max+1; i++ {
		if _, err := t.add(testEntry(i)); err != nil {
			return err
		}
		r, err := t.root(t.n)
		if err != nil {
			return err
		}
		roots = append(roots, r)
	}
	count := 0
	hx := func(h tlog.Hash) string { return hex.EncodeToString(h[:]) }
	emit := func(kind string, a, b int64, ha, hb tlog.Hash, p []tlog.Hash, ok bool) {
		want := 0
		if ok {
			want = 1
		}
		fmt.Fprintf(w, "%s %d %d %s %s %d %d", kind, a, b, hx(ha), hx(hb), want, len(p))
		for _, h := range p {
			fmt.Fprintf(w, " %s", hx(h))
		}
		fmt.Fprintln(w)
		count++
	}
	variants := func(p []tlog.Hash, extra tlog.Hash) [][]tlog.Hash {
		var out [][]tlog.Hash
		for k := range p {
			for _, bit := range []uint{0, 7 * 8} {
				q := append([]tlog.Hash(nil), p...)
				q[k][bit/8] ^= 1 << (bit % 8)
				out = append(out, q)
			}
		}
		if len(p) > 0 {
			out = append(out, p[:len(p)-1], p[1:])
		}
		out = append(out, append(append([]tlog.Hash(nil), p...), extra))
		out = append(out, append([]tlog.Hash{extra}, p...))
		return out
	}
	checkR := func(p []tlog.Hash, s int64, root tlog.Hash, i int64, leaf tlog.Hash) bool {
		if s < 1 || i < 0 || i >= s {
			return false
		}
		return tlog.CheckRecord(tlog.RecordProof(p), s, root, i, leaf) == nil
	}
	checkT := func(p []tlog.Hash, s int64, root tlog.Hash, m int64, old tlog.Hash) bool {
		if s < 1 || m < 1 || m > s {
			return false
		}
		return tlog.CheckTree(tlog.TreeProof(p), s, root, m, old) == nil
	}
	for s := int64(1); s <= max; s++ {
		for i := int64(0); i < s; i++ {
			p, err := tlog.ProveRecord(s, i, t)
			if err != nil {
				return err
			}
			leaf, root := t.leaves[i], roots[s]
			if !checkR(p, s, root, i, leaf) {
				return failf("Go rejects its own proof of %d in %d", i, s)
			}
			emit("incl", i, s, leaf, root, p, true)
			for _, q := range variants(p, roots[s-1]) {
				emit("incl", i, s, leaf, root, q, checkR(q, s, root, i, leaf))
			}
			for _, d := range []int64{-1, 1} {
				if j := i + d; j >= 0 {
					emit("incl", j, s, leaf, root, p, checkR(p, s, root, j, leaf))
				}
				s2 := s + d
				if s2 >= 0 {
					emit("incl", i, s2, leaf, root, p, checkR(p, s2, root, i, leaf))
					emit("incl", i, s2, leaf, roots[s2], p, checkR(p, s2, roots[s2], i, leaf))
				}
			}
			emit("incl", i, s, roots[s], root, p, checkR(p, s, root, i, roots[s]))
			emit("incl", i, s, leaf, roots[s-1], p, checkR(p, s, roots[s-1], i, leaf))
			emit("incl", i, s, flipHash(leaf), root, p, checkR(p, s, root, i, flipHash(leaf)))
			emit("incl", i, s, leaf, flipHash(root), p, checkR(p, s, flipHash(root), i, leaf))
		}
		for m := int64(1); m <= s; m++ {
			p, err := tlog.ProveTree(s, m, t)
			if err != nil {
				return err
			}
			old, root := roots[m], roots[s]
			if !checkT(p, s, root, m, old) {
				return failf("Go rejects its own proof %d -> %d", m, s)
			}
			emit("cons", m, s, old, root, p, true)
			for _, q := range variants(p, roots[m-1]) {
				emit("cons", m, s, old, root, q, checkT(q, s, root, m, old))
			}
			for _, d := range []int64{-1, 1} {
				if m2 := m + d; m2 >= 0 && m2 <= s+1 {
					emit("cons", m2, s, old, root, p, checkT(p, s, root, m2, old))
					emit("cons", m2, s, roots[m2], root, p, checkT(p, s, root, m2, roots[m2]))
				}
				if s2 := s + d; s2 >= 0 {
					emit("cons", m, s2, old, root, p, checkT(p, s2, root, m, old))
					emit("cons", m, s2, old, roots[s2], p, checkT(p, s2, roots[s2], m, old))
				}
			}
			emit("cons", m, s, root, old, p, checkT(p, s, old, m, root))
			emit("cons", m, s, flipHash(old), root, p, checkT(p, s, root, m, flipHash(old)))
			emit("cons", m, s, old, flipHash(root), p, checkT(p, s, flipHash(root), m, old))
		}
	}
	fmt.Fprintf(w, "end %d\n", count)
	return w.Flush()
}

// flipHash is h with its last bit flipped.
func flipHash(h tlog.Hash) tlog.Hash {
	h[tlog.HashSize-1] ^= 1
	return h
}

// testEntry is entry i of the Go-side test logs (mutants, selftest): up
// to 60 bytes, entry 0 empty, every 997th from 5 on 1000..1049 bytes.
func testEntry(i int64) []byte {
	n := int(i * 7 % 61)
	if i%997 == 5 {
		n = 1000 + int(i%50)
	}
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(i*31 + int64(j)*17 + i>>8)
	}
	return b
}

func cmdGenkey(args []string) error {
	if len(args) != 1 {
		return usagef("genkey NAME")
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, args[0])
	if err != nil {
		return usagef("genkey: %v", err)
	}
	fmt.Println(skey)
	fmt.Println(vkey)
	return nil
}

func cmdSign(args []string) error {
	if len(args) != 1 {
		return usagef("sign SKEY")
	}
	s, err := note.NewSigner(args[0])
	if err != nil {
		return usagef("sign: %v", err)
	}
	text, err := io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
	if err != nil {
		return err
	}
	msg, err := note.Sign(&note.Note{Text: string(text)}, s)
	if err != nil {
		return usagef("sign: %v", err)
	}
	_, err = os.Stdout.Write(msg)
	return err
}
