//go:build ignore

// Writes the Go-made vectors of tmon's tests/unit/check_note.c, with
// golang.org/x/mod/sumdb/note (keys, signed note) and
// golang.org/x/mod/sumdb/tlog (tree hash, inclusion proof).
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func main() {
	// The log key: note.GenerateKey with a fixed seed.
	const name = "example.com/tmon-go"
	seed := sha256.Sum256([]byte("tmon note test key"))
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed[:]), name)
	check(err)

	// A log of 13 entries "entry 0" .. "entry 12", its root, and the
	// inclusion proof of entry 6.
	const n, index = 13, 6
	var stored []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	for i := int64(0); i < n; i++ {
		h, err := tlog.StoredHashes(i, []byte(fmt.Sprintf("entry %d", i)), r)
		check(err)
		stored = append(stored, h...)
	}
	root, err := tlog.TreeHash(n, r)
	check(err)
	proof, err := tlog.ProveRecord(n, index, r)
	check(err)

	// The checkpoint (tlog-checkpoint), signed by note.Sign.
	text := fmt.Sprintf("%s\n%d\n%s\n", name, n, base64.StdEncoding.EncodeToString(root[:]))
	signer, err := note.NewSigner(skey)
	check(err)
	msg, err := note.Sign(&note.Note{Text: text}, signer)
	check(err)
	v, err := note.NewVerifier(vkey)
	check(err)
	_, err = note.Open(msg, note.VerifierList(v))
	check(err)

	// A cosignature/v1 (tlog-cosignature) of the checkpoint: x/mod 0.7.0
	// has none, so it is written here from the spec with crypto/ed25519.
	const wname = "witness.example/tmon-w1"
	const ts = 1727964367
	wseed := sha256.Sum256([]byte("tmon witness test key"))
	wpriv := ed25519.NewKeyFromSeed(wseed[:])
	wpub := append([]byte{0x04}, wpriv.Public().(ed25519.PublicKey)...)
	h := sha256.Sum256(append([]byte(wname+"\n"), wpub...))
	wid := binary.BigEndian.Uint32(h[:4])
	wvkey := fmt.Sprintf("%s+%08x+%s", wname, wid, base64.StdEncoding.EncodeToString(wpub))
	wskey := fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", wname, wid,
		base64.StdEncoding.EncodeToString(append([]byte{0x04}, wseed[:]...)))
	cmsg := []byte(fmt.Sprintf("cosignature/v1\ntime %d\n%s", ts, text))
	csig := make([]byte, 12, 76)
	binary.BigEndian.PutUint32(csig, wid)
	binary.BigEndian.PutUint64(csig[4:], ts)
	csig = append(csig, ed25519.Sign(wpriv, cmsg)...)
	cline := fmt.Sprintf("— %s %s\n", wname, base64.StdEncoding.EncodeToString(csig))
	cosigned := append(append([]byte{}, msg...), cline...)

	// The tlog-proof of entry 6 in the cosigned checkpoint.
	var p bytes.Buffer
	fmt.Fprintf(&p, "c2sp.org/tlog-proof@v1\nindex %d\n", index)
	for _, h := range proof {
		fmt.Fprintf(&p, "%s\n", base64.StdEncoding.EncodeToString(h[:]))
	}
	p.WriteString("\n")
	p.Write(cosigned)

	write("go.skey", skey+"\n")
	write("go.vkey", vkey+"\n")
	write("go-checkpoint.txt", text)
	write("go-checkpoint.note", string(msg))
	write("go-witness.skey", wskey+"\n")
	write("go-witness.vkey", wvkey+"\n")
	write("go-witness-response", cline)
	write("go-checkpoint-cosigned.note", string(cosigned))
	write("go-entry6.bin", fmt.Sprintf("entry %d", index))
	write("go-entry6.tlog-proof", p.String())
}

func write(file, s string) {
	check(os.WriteFile(file, []byte(s), 0644))
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
