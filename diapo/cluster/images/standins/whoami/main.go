// Stand-in for traefik/whoami (containous/whoami), written for diapo: the real program is not
// served by the Go module proxy. It keeps the behaviour lecture decks rely on: the start-up log
// line, and a page with the host name, the pod's IP addresses and the request's headers.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
)

func addresses() []string {
	var ips []string
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ips
	}
	for _, addr := range addrs {
		if ipnet, ok := addr.(*net.IPNet); ok {
			ips = append(ips, ipnet.IP.String())
		}
	}
	return ips
}

func whoami(w http.ResponseWriter, r *http.Request) {
	hostname, _ := os.Hostname()
	fmt.Fprintf(w, "Hostname: %s\n", hostname)
	for _, ip := range addresses() {
		fmt.Fprintf(w, "IP: %s\n", ip)
	}
	fmt.Fprintf(w, "RemoteAddr: %s\n", r.RemoteAddr)
	fmt.Fprintf(w, "%s %s %s\n", r.Method, r.URL.RequestURI(), r.Proto)
	fmt.Fprintf(w, "Host: %s\n", r.Host)
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "%s: %s\n", name, strings.Join(r.Header[name], ","))
	}
}

func api(w http.ResponseWriter, r *http.Request) {
	hostname, _ := os.Hostname()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"hostname": hostname, "ip": addresses(), "headers": r.Header, "url": r.URL.String(),
		"host": r.Host, "method": r.Method, "remoteAddr": r.RemoteAddr,
	})
}

func main() {
	port := flag.String("port", "", "port to listen on (default: $WHOAMI_PORT_NUMBER or 80)")
	name := flag.String("name", os.Getenv("WHOAMI_NAME"), "name shown on the page")
	flag.Parse()
	if *port == "" {
		*port = os.Getenv("WHOAMI_PORT_NUMBER")
	}
	if *port == "" {
		*port = "80"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if *name != "" {
			fmt.Fprintf(w, "Name: %s\n", *name)
		}
		whoami(w, r)
	})
	mux.HandleFunc("/api", api)
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	log.SetFlags(log.LstdFlags)
	log.Printf("Starting up on port %s", *port)
	log.Fatal(http.ListenAndServe(":"+*port, mux))
}
