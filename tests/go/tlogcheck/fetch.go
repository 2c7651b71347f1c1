package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// source reads the files of a log: over HTTP below a URL prefix, or
// from a directory (tmonctl export-tiles).
type source interface {
	// get returns the file at path (relative, "/"-separated), at most
	// max bytes.  A file the log does not have is a failure; a network
	// or I/O error is not.  ctype, when not "", is the media type the
	// response must carry (HTTP only).
	get(path string, max int64, ctype string) ([]byte, error)
	String() string
}

type httpSource struct {
	prefix string
	client *http.Client
}

func newHTTPClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     30 * time.Second,
		},
	}
}

func (s *httpSource) String() string { return s.prefix }

func (s *httpSource) get(path string, max int64, ctype string) ([]byte, error) {
	return httpGet(s.client, s.prefix+"/"+path, max, ctype)
}

// httpGet fetches url: 200 with the media type ctype (if not "") and a
// body of at most max bytes, or a failure naming what came instead.
func httpGet(c *http.Client, url string, max int64, ctype string) ([]byte, error) {
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, failf("GET %s: HTTP %d: %.200q", url, resp.StatusCode, body)
	}
	if int64(len(body)) > max {
		return nil, failf("GET %s: more than %d bytes", url, max)
	}
	if ctype != "" {
		mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if err != nil || mt != ctype {
			return nil, failf("GET %s: Content-Type %q, want %s", url, resp.Header.Get("Content-Type"), ctype)
		}
	}
	return body, nil
}

type dirSource struct{ dir string }

func (s *dirSource) String() string { return s.dir }

func (s *dirSource) get(path string, max int64, ctype string) ([]byte, error) {
	f, err := os.Open(filepath.Join(s.dir, filepath.FromSlash(path)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, failf("%s: no file %s", s.dir, path)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, failf("%s/%s: more than %d bytes", s.dir, path, max)
	}
	return b, nil
}

func newSource(arg string, conns int) source {
	if strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://") {
		return &httpSource{prefix: strings.TrimRight(arg, "/"), client: newHTTPClient(conns)}
	}
	return &dirSource{dir: arg}
}
