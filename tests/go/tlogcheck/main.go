// Command tlogcheck checks tmon's verifiable log with an implementation
// that is not tmon's: golang.org/x/mod/sumdb/tlog (RFC 9162 section 2.1
// Merkle trees, record and tree proofs, tiles) and
// golang.org/x/mod/sumdb/note (C2SP signed-note), with the Go standard
// library for the rest (C2SP tlog-checkpoint, tlog-tiles, tlog-cosignature
// and tlog-witness).
//
// Modes (tlogcheck help prints the flags of each):
//
//	vectors            check tmon's proofs printed by tlog_vectors (stdin)
//	mutants MAX        print proofs and altered proofs with Go's verdicts,
//	                   for tlog_vectors verify
//	paths              check tmon's tile paths printed by tlog_vectors (stdin)
//	api URL VKEY       check a running tmond's checkpoint, entries and proofs
//	tiles SRC VKEY     check a C2SP tlog-tiles log (URL prefix or directory)
//	witness ...        run a C2SP tlog-witness for tests
//	genkey NAME        print a new Ed25519 note signer key and verifier key
//	sign SKEY          sign the note text on stdin
//	selftest           check the modes above against Go-side logs and
//	                   tampered copies of them
//
// Exit status: 0 everything checked holds; 1 something is wrong (a
// disagreement, a bad proof or signature, a missing tile); 2 usage; 3
// something could not be checked (network, I/O).
package main

import (
	"errors"
	"fmt"
	"os"
)

// failure is an error that the thing checked is wrong (exit 1), as
// opposed to one that it could not be checked (exit 3).
type failure struct{ msg string }

func (f *failure) Error() string { return f.msg }

func failf(format string, args ...interface{}) error {
	return &failure{fmt.Sprintf(format, args...)}
}

func isFailure(err error) bool {
	var f *failure
	return errors.As(err, &f)
}

type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, args ...interface{}) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

const usage = `usage: tlogcheck vectors                            < tlog_vectors proofs output
       tlogcheck mutants MAX                        > tlog_vectors verify input
       tlogcheck paths                              < tlog_vectors paths output
       tlogcheck api [-limit N] [-j N] [-origin O] [-witness VKEY]... [-max-entries N] URL VKEY
       tlogcheck tiles [-samples N] [-origin O] [-witness VKEY]... [-max-entries N] URL-or-DIR VKEY
       tlogcheck witness -listen HOST:PORT -name NAME -log-vkey VKEY -origin ORIGIN
                         [-key FILE] [-state FILE] [-init-size N -init-root B64]
       tlogcheck genkey NAME
       tlogcheck sign SKEY                          < note text
       tlogcheck selftest
api URL is tmond's base (http://127.0.0.1:PORT); tiles takes the tlog-tiles
prefix (http://127.0.0.1:PORT/api/v1/log) or a tmonctl export-tiles directory.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	args := os.Args[2:]
	switch os.Args[1] {
	case "vectors":
		err = cmdVectors(args)
	case "mutants":
		err = cmdMutants(args)
	case "paths":
		err = cmdPaths(args)
	case "api":
		err = cmdAPI(args)
	case "tiles":
		err = cmdTiles(args)
	case "witness":
		err = cmdWitness(args)
	case "genkey":
		err = cmdGenkey(args)
	case "sign":
		err = cmdSign(args)
	case "selftest":
		err = cmdSelftest(args)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return
	default:
		err = usagef("unknown mode %q", os.Args[1])
	}
	if err == nil {
		return
	}
	var u *usageError
	switch {
	case errors.As(err, &u):
		fmt.Fprintf(os.Stderr, "tlogcheck: %v\n%s", err, usage)
		os.Exit(2)
	case isFailure(err):
		fmt.Fprintf(os.Stderr, "tlogcheck: FAIL: %v\n", err)
		os.Exit(1)
	default:
		fmt.Fprintf(os.Stderr, "tlogcheck: ERROR: %v\n", err)
		os.Exit(3)
	}
}
