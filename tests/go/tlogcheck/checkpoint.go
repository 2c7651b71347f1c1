package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// emptyRoot is MTH({}) = SHA-256("") (RFC 9162 section 2.1.1).
var emptyRoot = tlog.Hash(sha256.Sum256(nil))

// b64 is standard base64 with padding (RFC 4648 section 4), rejecting
// non-canonical trailing bits, as C2SP uses everywhere.
var b64 = base64.StdEncoding.Strict()

// checkpoint is the note text of a C2SP tlog-checkpoint
// (https://c2sp.org/tlog-checkpoint, "Note text").
type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
	ext    []string
	text   string // the whole note text, final newline included
}

// parseCheckpoint parses a checkpoint's note text: an origin line, the
// tree size in decimal without leading zeroes, the base64 root hash,
// then optional non-empty extension lines, each ending in a newline.
func parseCheckpoint(text string) (*checkpoint, error) {
	if !strings.HasSuffix(text, "\n") {
		return nil, failf("checkpoint: note text does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return nil, failf("checkpoint: %d lines, want at least 3", len(lines))
	}
	c := &checkpoint{origin: lines[0], text: text}
	if c.origin == "" {
		return nil, failf("checkpoint: empty origin line")
	}
	n, err := parseSize(lines[1])
	if err != nil {
		return nil, failf("checkpoint: size line %q: %v", lines[1], err)
	}
	c.size = n
	if c.root, err = parseHash(lines[2]); err != nil {
		return nil, failf("checkpoint: root line %q: %v", lines[2], err)
	}
	for _, l := range lines[3:] {
		if l == "" {
			return nil, failf("checkpoint: empty extension line")
		}
		c.ext = append(c.ext, l)
	}
	return c, nil
}

// parseSize parses a decimal tree size with no sign and no leading
// zeroes (unless it is 0), below 2^63.
func parseSize(s string) (int64, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') || strings.TrimLeft(s, "0123456789") != "" {
		return 0, errors.New("not a decimal size")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errors.New("size out of range")
	}
	return n, nil
}

// parseHash decodes a base64 SHA-256 hash.
func parseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := b64.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		return h, errors.New("not a base64 SHA-256 hash")
	}
	copy(h[:], b)
	return h, nil
}

func hashB64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

// Signature types of C2SP signed-note verifier keys.
const (
	sigEd25519       = 0x01 // signed-note "Ed25519"
	sigCosignatureV1 = 0x04 // tlog-cosignature "cosignature/v1" (Ed25519)
)

// keyID is SHA-256(name || 0x0A || type || public key)[:4] as a big-endian
// uint32 (C2SP signed-note "Signatures", tlog-cosignature "Format").
func keyID(name string, typ byte, pub []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', typ})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// cosigVerifier verifies Ed25519 cosignature/v1 signatures
// (https://c2sp.org/tlog-cosignature): the signature is an 8-byte
// big-endian timestamp then 64 bytes of Ed25519 over
// "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint text.
type cosigVerifier struct {
	name string
	id   uint32
	pub  ed25519.PublicKey
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.id }
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	if t > math.MaxInt64 {
		return false
	}
	return ed25519.Verify(v.pub, cosignedMessage(t, msg), sig[8:])
}

// cosignedMessage is the message a cosignature/v1 signs.
func cosignedMessage(t uint64, text []byte) []byte {
	var m bytes.Buffer
	fmt.Fprintf(&m, "cosignature/v1\ntime %d\n", t)
	m.Write(text)
	return m.Bytes()
}

// newVerifier parses a verifier key <name>+<hex id>+<base64(type ||
// key)> (C2SP signed-note "Verifier keys") of type 0x01, through Go's
// note package, or 0x04 (a witness's cosignature/v1 key).
func newVerifier(vkey string) (note.Verifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) == 3 {
		key, err := b64.DecodeString(parts[2])
		if err == nil && len(key) == 1+ed25519.PublicKeySize && key[0] == sigCosignatureV1 {
			id, err := strconv.ParseUint(parts[1], 16, 32)
			if len(parts[1]) != 8 || err != nil || parts[0] == "" {
				return nil, fmt.Errorf("verifier key %q: malformed", vkey)
			}
			if uint32(id) != keyID(parts[0], key[0], key[1:]) {
				return nil, fmt.Errorf("verifier key %q: key id does not match", vkey)
			}
			return &cosigVerifier{name: parts[0], id: uint32(id), pub: ed25519.PublicKey(key[1:])}, nil
		}
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("verifier key %q: %v", vkey, err)
	}
	return v, nil
}

// cosignerVkey is the verifier key of an Ed25519 cosignature/v1 key.
func cosignerVkey(name string, pub ed25519.PublicKey) string {
	return fmt.Sprintf("%s+%08x+%s", name, keyID(name, sigCosignatureV1, pub),
		base64.StdEncoding.EncodeToString(append([]byte{sigCosignatureV1}, pub...)))
}

// openCheckpoint verifies a signed checkpoint: a valid signature by the
// log key and, for each witness key, a valid cosignature; signatures of
// other keys are ignored (C2SP signed-note "Verification").  Then it
// parses the note text.
func openCheckpoint(msg []byte, logVkey string, witnesses []string, origin string) (*checkpoint, error) {
	lv, err := newVerifier(logVkey)
	if err != nil {
		return nil, usagef("%v", err)
	}
	vs := []note.Verifier{lv}
	for _, w := range witnesses {
		v, err := newVerifier(w)
		if err != nil {
			return nil, usagef("%v", err)
		}
		vs = append(vs, v)
	}
	n, err := note.Open(msg, note.VerifierList(vs...))
	if err != nil {
		return nil, failf("checkpoint signature: %v", err)
	}
	for _, v := range vs {
		found := false
		for _, s := range n.Sigs {
			if s.Name == v.Name() && s.Hash == v.KeyHash() {
				found = true
			}
		}
		if !found {
			return nil, failf("checkpoint: no valid signature by %s+%08x", v.Name(), v.KeyHash())
		}
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return nil, err
	}
	if origin != "" && c.origin != origin {
		return nil, failf("checkpoint: origin %q, want %q", c.origin, origin)
	}
	return c, nil
}
