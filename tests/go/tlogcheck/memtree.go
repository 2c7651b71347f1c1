package main

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// memTree is a Merkle tree held the way golang.org/x/mod/sumdb/tlog
// stores one: for record n, the hashes tlog.StoredHashes returns, at
// tlog.StoredHashIndex(0, n) onwards.  It is the checker's own copy of
// the tree, built from the entries alone.
type memTree struct {
	n      int64
	hashes []tlog.Hash
	leaves []tlog.Hash
}

// ReadHashes implements tlog.HashReader.
func (t *memTree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(t.hashes)) {
			return nil, fmt.Errorf("memtree: no stored hash %d in a tree of %d", x, t.n)
		}
		out[i] = t.hashes[x]
	}
	return out, nil
}

// add appends a record (an entry's exact bytes) and returns its leaf
// hash, SHA-256(0x00 || data) (RFC 9162 section 2.1.1).
func (t *memTree) add(data []byte) (tlog.Hash, error) {
	hs, err := tlog.StoredHashes(t.n, data, t)
	if err != nil {
		return tlog.Hash{}, err
	}
	return hs[0], t.store(hs)
}

// addLeaf appends a record by its leaf hash.
func (t *memTree) addLeaf(h tlog.Hash) error {
	hs, err := tlog.StoredHashesForRecordHash(t.n, h, t)
	if err != nil {
		return err
	}
	return t.store(hs)
}

func (t *memTree) store(hs []tlog.Hash) error {
	if int64(len(t.hashes)) != tlog.StoredHashIndex(0, t.n) {
		return fmt.Errorf("memtree: %d stored hashes before record %d", len(t.hashes), t.n)
	}
	t.hashes = append(t.hashes, hs...)
	t.leaves = append(t.leaves, hs[0])
	t.n++
	return nil
}

// root is MTH of the first n records; the empty tree's root is
// SHA-256 of nothing (RFC 9162 section 2.1.1), where tlog.TreeHash
// returns zeroes.
func (t *memTree) root(n int64) (tlog.Hash, error) {
	if n == 0 {
		return emptyRoot, nil
	}
	return tlog.TreeHash(n, t)
}
