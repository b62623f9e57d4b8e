// goservice is a stdlib-only Go service for gomedic's probe tests: it exposes expvar (/debug/vars)
// and net/http/pprof (/debug/pprof/...), and control endpoints that let a test push its runtime
// state over a threshold and back:
//
//	/ctl/goroutines?n=N  hold N goroutines blocked on a channel (0 releases them)
//	/ctl/heap?mb=N       hold N MiB of live heap (0 releases it and returns memory to the OS)
//	/ctl/fds?n=N         hold N open file descriptors on /dev/null (0 closes them)
//	/ctl/threads?n=N     hold N OS threads (goroutines locked to their thread, blocked; 0 releases)
//	/ctl/churn?on=1      allocate garbage in a loop so the GC runs constantly (on=0 stops)
//	/ctl/leak?per_sec=N  leak N more goroutines every second, until per_sec=0 (then release them)
//
// It listens on -addr (default 127.0.0.1:0) and writes the address it got to -addr-file.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"time"
)

type holder struct {
	mu      sync.Mutex
	gstop   chan struct{}
	tstop   chan struct{}
	cstop   chan struct{}
	lstop   chan struct{}
	heap    [][]byte
	files   []*os.File
	threads sync.WaitGroup
}

var h holder

func num(r *http.Request, key string) (int, error) {
	v, err := strconv.Atoi(r.URL.Query().Get(key))
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad %s", key)
	}
	return v, nil
}

func goroutines(n int) {
	if h.gstop != nil {
		close(h.gstop)
		h.gstop = nil
	}
	if n == 0 {
		return
	}
	stop := make(chan struct{})
	h.gstop = stop
	for i := 0; i < n; i++ {
		go func() { <-stop }()
	}
}

func threads(n int) {
	if h.tstop != nil {
		close(h.tstop)
		h.tstop = nil
		h.threads.Wait()
	}
	if n == 0 {
		return
	}
	stop := make(chan struct{})
	h.tstop = stop
	started := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		h.threads.Add(1)
		go func() {
			defer h.threads.Done()
			runtime.LockOSThread() // the thread stays dedicated; exiting the goroutine locked kills it
			started <- struct{}{}
			<-stop
		}()
	}
	for i := 0; i < n; i++ {
		<-started
	}
}

func heap(mb int) {
	h.heap = nil
	for i := 0; i < mb; i++ {
		b := make([]byte, 1<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		h.heap = append(h.heap, b)
	}
	if mb == 0 {
		runtime.GC()
		debug.FreeOSMemory()
	}
}

func fds(n int) error {
	for _, f := range h.files {
		f.Close()
	}
	h.files = nil
	for i := 0; i < n; i++ {
		f, err := os.Open(os.DevNull)
		if err != nil {
			return err
		}
		h.files = append(h.files, f)
	}
	return nil
}

var sink []byte

func churn(on bool) {
	if h.cstop != nil {
		close(h.cstop)
		h.cstop = nil
	}
	if !on {
		return
	}
	stop := make(chan struct{})
	h.cstop = stop
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			for i := 0; i < 1000; i++ {
				sink = make([]byte, 64<<10)
			}
		}
	}()
}

func leak(perSec int) {
	if h.lstop != nil {
		close(h.lstop)
		h.lstop = nil
	}
	if perSec == 0 {
		return
	}
	stop := make(chan struct{})
	h.lstop = stop
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				for i := 0; i < (perSec+9)/10; i++ {
					go func() { <-stop }()
				}
			}
		}
	}()
}

func control(key string, apply func(int) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, err := num(r, key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if err := apply(n); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "ok")
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	addrFile := flag.String("addr-file", "", "write the listen address here")
	flag.Parse()
	http.HandleFunc("/ctl/goroutines", control("n", func(n int) error { goroutines(n); return nil }))
	http.HandleFunc("/ctl/threads", control("n", func(n int) error { threads(n); return nil }))
	http.HandleFunc("/ctl/heap", control("mb", func(n int) error { heap(n); return nil }))
	http.HandleFunc("/ctl/fds", control("n", fds))
	http.HandleFunc("/ctl/leak", control("per_sec", func(n int) error { leak(n); return nil }))
	http.HandleFunc("/ctl/churn", control("on", func(n int) error { churn(n != 0); return nil }))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if *addrFile != "" {
		tmp := *addrFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(ln.Addr().String()), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(tmp, *addrFile); err != nil {
			log.Fatal(err)
		}
	}
	log.Fatal(http.Serve(ln, nil))
}
