package pgtest

import (
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
)

// Proxy stands between Kindly and the throwaway server, as the practice's
// network does: Cut breaks every connection and refuses new ones until
// Mend.
type Proxy struct {
	Port   int
	target string
	l      net.Listener
	mu     sync.Mutex
	conns  []net.Conn
	down   bool
}

// Proxy starts a proxy to the server for one test.
func (s *Server) Proxy(tb testing.TB) *Proxy {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{Port: l.Addr().(*net.TCPAddr).Port, target: "127.0.0.1:" + strconv.Itoa(s.Port), l: l}
	go p.serve()
	tb.Cleanup(func() { l.Close(); p.Cut() })
	return p
}

// Through is a database's address on the server (as NewDatabase gives
// it) through the proxy.
func (p *Proxy) Through(s *Server, address string) string {
	return replacePort(address, s.Port, p.Port)
}

func replacePort(u string, from, to int) string {
	f, t := ":"+strconv.Itoa(from)+"/", ":"+strconv.Itoa(to)+"/"
	for i := 0; i+len(f) <= len(u); i++ {
		if u[i:i+len(f)] == f {
			return u[:i] + t + u[i+len(f):]
		}
	}
	return u
}

func (p *Proxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close() }()
		go func() { io.Copy(c, up); c.Close() }()
	}
}

// Cut breaks every connection through the proxy and refuses new ones.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// Mend lets connections through again.
func (p *Proxy) Mend() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}
